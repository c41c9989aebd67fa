#!/usr/bin/env bash
# make install and make uninstall into a scratch prefix; man pages match --help.
. "$(dirname "$0")/../lib.sh"
plan 9

run 0 "make install PREFIX=..." -- make -s -C "$top" install PREFIX="$tmp/p"
ok '[ -x "$tmp/p/bin/fetch-pages" ] && [ -x "$tmp/p/bin/parse" ] && [ -x "$tmp/p/bin/sync-library" ]' \
	"programs and scripts are installed"
ok '[ -f "$tmp/p/share/man/man1/fetch-pages.1" ] && [ -f "$tmp/p/share/man/man1/parse.1" ]' "man pages too"
run 0 "the installed parse runs" -- "$tmp/p/bin/parse" --help
# every man page's SYNOPSIS names the options its --help names
bad=
for m in "$tmp"/p/share/man/man1/*.1; do
	prog=$(basename "$m" .1)
	[ -x "$tmp/p/bin/$prog" ] || continue
	for o in $("$tmp/p/bin/$prog" --help 2>&1 | grep -o -- '--[a-z][a-z-]*' | sort -u); do
		n=${o#--}
		grep -q -e "Fl \\\\-$n" -e "Fl -$n" -e "Fl Fl $n" -e "\\-\\-$n" "$m" || bad="$bad $prog:$o"
	done
done
is "$bad" "" "every long option of --help is in the man page"
ok 'MANWIDTH=80 man -l "$tmp/p/share/man/man1/fetch-pages.1" 2>&1 | grep -q "page through"' "man renders the page"
run 0 "make uninstall" -- make -s -C "$top" uninstall PREFIX="$tmp/p"
is "$(find "$tmp/p" -type f | wc -l | tr -d ' ')" 0 "nothing is left"
ok '[ ! -e "$tmp/p/bin/provider-sim" ]' "the simulator is a test fixture, not installed"

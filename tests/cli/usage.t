#!/usr/bin/env bash
# One command-line shape for every program (libparse's cli_init, cli_help,
# cli_usage): -h and --help print the usage on stdout and exit 0; a usage error
# prints why, named by the program's bare name, then the usage on stderr, and
# exits 64; the usage names exactly the options of the man page's SYNOPSIS.
. "$(dirname "$0")/../lib.sh"

# program, its man page, and an option that needs an argument (given none)
progs="parse:parse/parse.1:-p
fetch-pages:fetch/fetch-pages.1:--state
validate:validate/validate.1:-r
store:store/store.1:--report
checkpoint:checkpoint/checkpoint.1:--provider
provider-sim:tests/sim/provider-sim.1:--port"

plan $((13 * 6 + 6 + 2))

# The options a usage text names: -x and --name, where an option may stand.
usage_opts() {
	grep -oE -- '(^|[][ |])--?[a-zA-Z][a-zA-Z0-9-]*' | sed 's/^[][ |]*//' | sort -u
}
# The options of a man page's SYNOPSIS (mdoc source: Fl x, Fl \-name).
man_opts() {
	sed -n '/^\.Sh SYNOPSIS/,/^\.Sh DESCRIPTION/p' "$1" |
		grep -oE 'Fl (\\-[a-z0-9-]+|[a-zA-Z])' | sed 's/^Fl \\-/--/; s/^Fl /-/' | sort -u
}

while IFS=: read -r p man needs; do
	run 0 "$p -h" -- "$p" -h
	ok "head -1 '$out' | grep -q '^usage: $p '" "$p -h: the usage on stdout"
	ok "[ ! -s '$err' ]" "$p -h: nothing on stderr"
	cp "$out" "$tmp/h"
	run 0 "$p --help" -- "$p" --help
	ok "cmp -s '$out' '$tmp/h'" "$p --help: the same usage"
	run 74 "$p -h on a full disk" -- bash -c "$p -h >/dev/full"

	# by its path, as a script or the Makefile calls it: still the bare name
	run 64 "$p: an unknown long option" -- "$(command -v "$p")" --no-such-option
	is "$(head -1 "$err")" "$p: unrecognized option '--no-such-option'" \
		"$p: getopt names the program by its bare name"
	ok "grep -q '^usage: $p ' '$err' && [ ! -s '$out' ]" "$p: the usage on stderr, nothing on stdout"
	run 64 "$p: an unknown short option" -- "$(command -v "$p")" -Z
	is "$(head -1 "$err")" "$p: invalid option -- 'Z'" "$p: -Z named"
	run 64 "$p: $needs without its argument" -- "$p" "$needs"
	is "$(usage_opts <"$tmp/h")" "$(man_opts "$top/$man")" "$p: the usage names the options of $man's SYNOPSIS"
done <<<"$progs"

# No test hook hides in a shipped program: store's old --cap is gone, and
# validate's --parse-only (for scripts/bench-validate) is in its man page.
run 64 "store: the old name --cap is no option" -- store --cap 1M "$tmp/db"
ok "grep -q 'Fl Fl parse-only' '$top/validate/validate.1'" "validate(1) documents --parse-only"

# One write-or-die for standard output: every program that writes data there
# says the same thing on a full disk, and exits 74.
rec='{"type":"RECORD","stream":"tracks","record":{"provider":"spotify","id":"t1"}}'
full() {
	run 74 "$1 on a full disk" -- bash -c "$2 >/dev/full"
	is "$(tail -1 "$err")" "$1: write error on standard output: No space left on device" \
		"$1: the one message for it"
}
full parse "parse -p spotify -s tracks '$shared_fixtures/captures/spotify.tracks.me-tracks-offset0.json'"
full validate "echo '{\"type\":\"STATE\",\"value\":{}}' | validate"
full checkpoint "echo '$rec' | checkpoint skip '$tmp/none.db'"

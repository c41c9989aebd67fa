#!/usr/bin/perl
# static-server.pl DIR PORTFILE LOG: a tiny HTTP server on 127.0.0.1 for tests
# that need answers provider-sim does not give. GET /NAME?QUERY answers from DIR:
#   NAME.location  a 302 to the URL in the file
#   NAME.status    that status, with {} as the body (or NAME.body), and the
#                  header lines of NAME.headers if present
#   NAME.json      200 with the file as the body (NAME.q-QUERY.json first, if present;
#                  in QUERY every character but letters, digits, _ . = - is _)
# anything else is 404. One line per request goes to LOG:
#   METHOD PATH?QUERY auth=yes|no mut=yes|no   (Authorization, Music-User-Token)
use strict;
use warnings;
use IO::Socket::INET;

my ($dir, $portfile, $log) = @ARGV;
my $srv = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 16,
	ReuseAddr => 1) or die "static-server: $!\n";
open(my $pf, '>', "$portfile.tmp") or die; print $pf $srv->sockport, "\n"; close $pf;
rename("$portfile.tmp", $portfile);
open(my $lf, '>>', $log) or die; $lf->autoflush(1);
$SIG{TERM} = sub { exit 0 };
while (my $c = $srv->accept) {
	my $req = <$c> // next;
	my ($auth, $mut) = ('no', 'no');
	while (my $h = <$c>) {
		last if $h =~ /^\r?\n$/;
		$auth = 'yes' if $h =~ /^authorization:/i;
		$mut = 'yes' if $h =~ /^music-user-token:/i;
	}
	my ($method, $target) = split ' ', $req;
	print $lf "$method $target auth=$auth mut=$mut\n";
	my ($path, $query) = split /\?/, $target, 2;
	(my $name = $path) =~ s{^/}{}; $name =~ s{[^A-Za-z0-9_.-]}{_}g;
	my ($status, $body, $extra) = (404, '{"error":{"status":404,"message":"nothing here"}}', '');
	my $q = defined $query ? $query : ''; $q =~ s{[^A-Za-z0-9_.=-]}{_}g;
	if (-f "$dir/$name.status") {
		open(my $f, '<', "$dir/$name.status"); chomp($status = <$f>); close $f;
		$body = '{}';
		if (-f "$dir/$name.body") {
			open(my $b, '<', "$dir/$name.body"); local $/; $body = <$b>; close $b;
		}
		if (-f "$dir/$name.headers") {
			open(my $h, '<', "$dir/$name.headers");
			while (my $l = <$h>) { chomp $l; $extra .= "$l\r\n"; }
			close $h;
		}
	} elsif (-f "$dir/$name.location") {
		open(my $f, '<', "$dir/$name.location"); chomp(my $loc = <$f>); close $f;
		($status, $body, $extra) = (302, '', "Location: $loc\r\n");
	} elsif (-f "$dir/$name.q-$q.json" || -f "$dir/$name.json") {
		my $file = -f "$dir/$name.q-$q.json" ? "$dir/$name.q-$q.json" : "$dir/$name.json";
		open(my $f, '<', $file); local $/; $body = <$f>; close $f;
		$status = 200;
	}
	my $reason = { 200 => 'OK', 302 => 'Found', 404 => 'Not Found', 429 => 'Too Many Requests' }->{$status} // 'Status';
	print $c "HTTP/1.1 $status $reason\r\nContent-Type: application/json\r\n$extra" .
		"Content-Length: " . length($body) . "\r\nConnection: close\r\n\r\n$body";
	close $c;
}

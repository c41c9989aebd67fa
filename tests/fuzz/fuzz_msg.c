/* fuzz_msg: the message reader, line by line, with a small cap (over-long lines). */
#include <fcntl.h>
#include <unistd.h>

#include "fuzz.h"
#include "msg.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int devnull = -1;
	struct msg_reader *r;
	struct msg m;
	int got;

	if (size > 65536)
		return 0;	/* the prefix a reader serves is at most 64 KiB */
	if (devnull < 0)
		devnull = open("/dev/null", O_RDONLY);
	r = msg_reader_new_prefixed(devnull, "fuzz", 512, (const char *)data, size);
	while ((got = msg_read(r, &m)) != MSG_EOF && got != MSG_IOERR) {
		if (got == MSG_OK && m.type == MSG_STATE)
			msg_bookmark(m.value, "tracks");
	}
	msg_reader_free(r);
	return 0;
}

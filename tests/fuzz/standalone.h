/* Included last by every harness: with -DFUZZ_STANDALONE (any compiler, no libFuzzer)
 * the harness replays the files named on its command line, for reproducing a crash
 * under gdb. Without it this header adds nothing. */
#ifdef FUZZ_STANDALONE
#include <stdint.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	static uint8_t buf[1 << 20];
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		if (!f)
			continue;
		size_t n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		LLVMFuzzerTestOneInput(buf, n);
	}
	return 0;
}
#endif

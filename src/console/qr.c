/* See qr.h. */
#include "console/qr.h"
#include <errno.h>
#include <png.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MARGIN_TEXT = 2, MARGIN_PNG = 4, SCALE_PNG = 8 };

static QRcode *encode(const char *data)
{
	return QRcode_encodeString(data, 0, QR_ECLEVEL_L, QR_MODE_8, 1);
}

/* Is module (x, y) dark? Coordinates include the quiet zone. */
static bool dark(const QRcode *q, int x, int y, int margin)
{
	x -= margin;
	y -= margin;
	if (x < 0 || y < 0 || x >= q->width || y >= q->width)
		return false;
	return q->data[y * q->width + x] & 1;
}

int wg_qr_text(const char *data, struct sbuf *out)
{
	QRcode *q = encode(data);
	if (!q)
		return -1;
	int size = q->width + 2 * MARGIN_TEXT;
	for (int y = 0; y < size; y += 2) {
		for (int x = 0; x < size; x++) {
			bool top = !dark(q, x, y, MARGIN_TEXT), bottom = y + 1 < size && !dark(q, x, y + 1, MARGIN_TEXT);
			sb_add(out, top && bottom ? "\u2588" : top ? "\u2580" : bottom ? "\u2584" : " ");
		}
		sb_addc(out, '\n');
	}
	QRcode_free(q);
	return 0;
}

static int write_rows(FILE *f, const QRcode *q)
{
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	int size = (q->width + 2 * MARGIN_PNG) * SCALE_PNG;
	png_bytep row = malloc((size_t)size);
	if (!png || !info || !row || setjmp(png_jmpbuf(png))) {
		png_destroy_write_struct(&png, &info);
		free(row);
		return -EIO;
	}
	png_init_io(png, f);
	png_set_IHDR(png, info, (png_uint_32)size, (png_uint_32)size, 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (int y = 0; y < size; y++) {
		for (int x = 0; x < size; x++)
			row[x] = dark(q, x / SCALE_PNG, y / SCALE_PNG, MARGIN_PNG) ? 0 : 255;
		png_write_row(png, row);
	}
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	free(row);
	return 0;
}

int wg_qr_png(const char *data, const char *path)
{
	QRcode *q = encode(data);
	if (!q)
		return -EINVAL;
	FILE *f = fopen(path, "wbe");
	int rc = f ? write_rows(f, q) : -errno;
	if (f && fclose(f) && !rc)
		rc = -EIO;
	QRcode_free(q);
	return rc;
}

/* make-corpus.c — writes the fuzz targets' seed corpora: small, valid (and a few nearly
 * valid) IDX files, model files and images, so each fuzzer starts deep in its format.
 * The output is committed; run this again only to change the seeds:
 *
 *   ./build/tests/fuzz/fuzz-make-corpus tests/fuzz/corpus
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>

#include "digits-model.h"
#include "nn/nn.h"
#include "test-util.h"

static const char *out_dir;

static void
write_seed (const char *target, const char *name, const guint8 *data, gsize len)
{
  g_autofree char *dir = g_build_filename (out_dir, target, NULL);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_mkdir_with_parents (dir, 0755);
  if (!g_file_set_contents (path, (const char *) data, (gssize) len, &error))
    g_error ("%s", error->message);
}

static void
write_array (const char *target, const char *name, GByteArray *bytes)
{
  write_seed (target, name, bytes->data, bytes->len);
}

/* A stroke-like picture: a ring (a "0") or a bar (a "1"), 0 background .. 255 ink. */
static guint8
ink_at (int x, int y, int w, int h, int shape)
{
  double cx = (x + 0.5) / w - 0.5, cy = (y + 0.5) / h - 0.5;

  if (shape == 0)
    {
      double r = hypot (cx / 0.3, cy / 0.4);

      return r > 0.7 && r < 1.0 ? 255 : 0;
    }
  return fabs (cx) < 0.08 && fabs (cy) < 0.38 ? 255 : 0;
}

static GByteArray *
idx_images (guint n, guint rows, guint cols, guint promised)
{
  GByteArray *out = g_byte_array_new ();

  test_append_be32 (out, 0x803);
  test_append_be32 (out, promised);
  test_append_be32 (out, rows);
  test_append_be32 (out, cols);
  for (guint i = 0; i < n; i++)
    for (guint y = 0; y < rows; y++)
      for (guint x = 0; x < cols; x++)
        {
          guint8 v = ink_at ((int) x, (int) y, (int) cols, (int) rows, (int) (i % 2));

          g_byte_array_append (out, &v, 1);
        }
  return out;
}

static GByteArray *
idx_labels (guint n, guint promised)
{
  GByteArray *out = g_byte_array_new ();

  test_append_be32 (out, 0x801);
  test_append_be32 (out, promised);
  for (guint i = 0; i < n; i++)
    {
      guint8 v = (guint8) (i % 10);

      g_byte_array_append (out, &v, 1);
    }
  return out;
}

static void
make_idx (void)
{
  g_autoptr(GByteArray) images = idx_images (3, 28, 28, 3);
  g_autoptr(GByteArray) images_gz = test_gzip_bytes (images->data, images->len);
  g_autoptr(GByteArray) labels = idx_labels (3, 3);
  g_autoptr(GByteArray) labels_gz = test_gzip_bytes (labels->data, labels->len);
  g_autoptr(GByteArray) small = idx_images (4, 5, 4, 4);
  g_autoptr(GByteArray) cut = idx_images (2, 28, 28, 3);
  g_autoptr(GByteArray) cut_gz = test_gzip_bytes (cut->data, cut->len);
  g_autoptr(GByteArray) two = test_gzip_bytes (labels->data, 5);
  g_autoptr(GByteArray) two_b = test_gzip_bytes (labels->data + 5, labels->len - 5);
  g_autoptr(GByteArray) bad_label = idx_labels (4, 4);

  write_array ("idx", "images-3x28x28", images);
  write_array ("idx", "images-3x28x28.gz", images_gz);
  write_array ("idx", "labels-3", labels);
  write_array ("idx", "labels-3.gz", labels_gz);
  write_array ("idx", "images-4x5x4", small);
  write_array ("idx", "images-truncated", cut);
  write_array ("idx", "images-truncated.gz", cut_gz);
  g_byte_array_append (two, two_b->data, two_b->len);
  write_array ("idx", "labels-3-two-members.gz", two);
  bad_label->data[8 + 2] = 10;
  write_array ("idx", "labels-bad-value", bad_label);
  g_byte_array_append (labels, (const guint8 *) "xx", 2);
  write_array ("idx", "labels-trailing", labels);
}

static void
save_model (const char *name, const int *sizes, int n_sizes, DigitsLabelSet set,
            gboolean meta)
{
  NnNet *net = nn_net_new (sizes, n_sizes);
  g_autoptr(DigitsModel) model = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize len;
  const guint8 *data;

  nn_net_init_he (net, 7);
  model = digits_model_new (net, set);
  if (meta)
    {
      digits_model_set_meta (model, "dataset", "seed");
      digits_model_set_meta (model, "epochs", "1");
    }
  bytes = digits_model_serialize (model);
  data = g_bytes_get_data (bytes, &len);
  write_seed ("model", name, data, len);
}

/* Format 2: a small convolutional net. */
static void
save_conv_model (const char *name, const char *spec)
{
  NnArch arch;
  NnNet *net;
  g_autoptr(DigitsModel) model = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize len;
  const guint8 *data;

  if (nn_arch_parse (spec, 1, 28, 28, 10, &arch, NULL, 0) != 0)
    g_error ("bad spec %s", spec);
  net = nn_net_new_arch (&arch);
  nn_net_init_he (net, 7);
  model = digits_model_new (net, DIGITS_LABELS_DIGITS);
  digits_model_set_meta (model, "dataset", "seed");
  bytes = digits_model_serialize (model);
  data = g_bytes_get_data (bytes, &len);
  write_seed ("model", name, data, len);
}

static void
make_models (void)
{
  save_conv_model ("conv3x2v-pool4-dense3", "conv3x2v,pool4,dense3");
  save_model ("784-1-10", (const int[]) { 784, 1, 10 }, 3, DIGITS_LABELS_DIGITS, FALSE);
  save_model ("784-2-10-fashion", (const int[]) { 784, 2, 10 }, 3, DIGITS_LABELS_FASHION,
              TRUE);
  save_model ("784-1-3-10", (const int[]) { 784, 1, 3, 10 }, 4, DIGITS_LABELS_DIGITS, TRUE);
}

/* A white picture with a dark "1" and "0" side by side, optionally transparent paper. */
static GdkPixbuf *
picture (int w, int h, gboolean alpha, gboolean light_on_dark)
{
  GdkPixbuf *pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, alpha, 8, w, h);
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf), channels = alpha ? 4 : 3;

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        int half = x < w / 2 ? 0 : 1;
        guint8 ink = ink_at (x % (w / 2), y, w / 2, h, 1 - half);
        guint8 *p = pixels + (gsize) y * stride + (gsize) x * channels;
        guint8 v = light_on_dark ? ink : 255 - ink;

        p[0] = p[1] = p[2] = v;
        if (alpha)
          p[3] = ink ? 255 : 0;
      }
  return pixbuf;
}

static void
save_pixbuf (GdkPixbuf *pixbuf, const char *name, const char *type, ...)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *buffer = NULL;
  gsize len = 0;
  va_list args;
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();
  g_autoptr(GPtrArray) values = g_ptr_array_new ();
  const char *key;

  va_start (args, type);
  while ((key = va_arg (args, const char *)) != NULL)
    {
      g_ptr_array_add (keys, (gpointer) key);
      g_ptr_array_add (values, va_arg (args, char *));
    }
  va_end (args);
  g_ptr_array_add (keys, NULL);
  g_ptr_array_add (values, NULL);

  if (!gdk_pixbuf_save_to_bufferv (pixbuf, &buffer, &len, type, (char **) keys->pdata,
                                   (char **) values->pdata, &error))
    g_error ("%s: %s", name, error->message);
  write_seed ("image", name, (const guint8 *) buffer, len);
}

static void
make_images (void)
{
  g_autoptr(GdkPixbuf) rgb = picture (48, 28, FALSE, FALSE);
  g_autoptr(GdkPixbuf) rgba = picture (48, 28, TRUE, FALSE);
  g_autoptr(GdkPixbuf) dark = picture (40, 24, FALSE, TRUE);
  g_autoptr(GdkPixbuf) icon = picture (32, 32, TRUE, FALSE);
  g_autoptr(GByteArray) pgm = g_byte_array_new ();
  g_autoptr(GByteArray) pbm = g_byte_array_new ();
  const char *svg =
    "<svg xmlns='http://www.w3.org/2000/svg' width='40' height='28'>"
    "<rect width='40' height='28' fill='white'/>"
    "<path d='M8 4v20M26 14a6 9 0 1 0 0.1 0' stroke='black' stroke-width='3' fill='none'/>"
    "</svg>\n";
  /* The smallest GIF: 1×1, a black pixel. */
  static const guint8 gif[] = {
    'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff,
    ',', 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 1, 0, ';',
  };
  /* An uncompressed 4×3 grey TGA with a bright bar. */
  guint8 tga[18 + 12] = { 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 3, 0, 8, 0 };

  save_pixbuf (rgb, "digits-rgb.png", "png", "compression", "9", NULL);
  save_pixbuf (rgba, "digits-rgba.png", "png", "compression", "9", NULL);
  save_pixbuf (dark, "light-on-dark.jpg", "jpeg", "quality", "60", NULL);
  save_pixbuf (rgb, "digits.bmp", "bmp", NULL);
  save_pixbuf (dark, "digits.tiff", "tiff", "compression", "1", NULL);
  save_pixbuf (icon, "digits.ico", "ico", NULL);

  g_byte_array_append (pgm, (const guint8 *) "P5\n24 16\n255\n", 13);
  for (int y = 0; y < 16; y++)
    for (int x = 0; x < 24; x++)
      {
        guint8 v = 255 - ink_at (x, y, 24, 16, 0);

        g_byte_array_append (pgm, &v, 1);
      }
  write_array ("image", "ring.pgm", pgm);
  g_byte_array_append (pbm, (const guint8 *) "P1\n8 6\n", 7);
  g_byte_array_append (pbm, (const guint8 *) "0 0 0 1 1 0 0 0\n0 0 0 1 1 0 0 0\n"
                       "0 0 0 1 1 0 0 0\n0 0 0 1 1 0 0 0\n0 0 0 1 1 0 0 0\n"
                       "0 0 0 0 0 0 0 0\n", 96);
  write_array ("image", "bar.pbm", pbm);
  write_seed ("image", "digits.svg", (const guint8 *) svg, strlen (svg));
  write_seed ("image", "dot.gif", gif, sizeof gif);
  for (int i = 0; i < 12; i++)
    tga[18 + i] = i % 4 == 1 ? 255 : 0;
  write_seed ("image", "bar.tga", tga, sizeof tga);
}

/* fuzz-pixels' input: flags, width (LE16), pixels. */
static void
write_pixels (const char *name, guint8 flags, int w, int h, gboolean light_on_dark)
{
  gboolean alpha = flags & 1, grey = (flags >> 1) & 1;
  int channels = grey ? 1 : alpha ? 4 : 3;
  g_autoptr(GByteArray) out = g_byte_array_new ();
  guint8 head[3] = { flags, w & 0xff, w >> 8 };

  g_byte_array_append (out, head, 3);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        int half = x < w / 2 ? 0 : 1;
        guint8 ink = ink_at (x % (w / 2), y, w / 2, h, half);
        guint8 px[4];

        px[0] = px[1] = px[2] = light_on_dark ? ink : 255 - ink;
        px[3] = ink ? 255 : 0;
        if (channels == 1)
          g_byte_array_append (out, px, 1);
        else
          g_byte_array_append (out, px, (guint) channels);
      }
  write_array ("pixels", name, out);
}

static void
make_pixels (void)
{
  write_pixels ("grey-48x28", 2, 48, 28, FALSE);
  write_pixels ("grey-32x20-light-on-dark-x4", 2 | (3 << 2), 32, 20, TRUE);
  write_pixels ("rgb-24x14", 0, 24, 14, FALSE);
  write_pixels ("rgba-20x14-x8", 1 | (7 << 2), 20, 14, FALSE);
}

int
main (int argc, char **argv)
{
  if (argc != 2)
    {
      g_printerr ("usage: %s OUTPUT-FOLDER\n", argv[0]);
      return 2;
    }
  out_dir = argv[1];
  make_idx ();
  make_models ();
  make_images ();
  make_pixels ();
  return 0;
}

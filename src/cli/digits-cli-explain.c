/* digits-cli-explain.c — looking inside from the command line: `explain` (saliency maps),
 * `mistakes` (a contact sheet of the misread test digits), `classify --raw` (28×28 inputs
 * as they are) and the `mistakes` list of `eval --json`.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <cairo.h>
#include <glib.h>
#include <glib/gi18n.h>

#include "digits-cli.h"
#include "digits-dataset.h"
#include "digits-evaluation.h"
#include "digits-explain.h"
#include "digits-model.h"
#include "digits-preprocess.h"


/* Contact sheet: thumbnails at twice MNIST's size, a caption under each. */
#define SHEET_SCALE    2
#define SHEET_THUMB    (DIGITS_SIDE * SHEET_SCALE)
#define SHEET_CELL_W   76
#define SHEET_CELL_H   80
#define SHEET_COLUMNS  16
#define SHEET_MARGIN   8
#define SHEET_HEADER   30

/* Saliency pictures: the input at ten times its size over a caption strip. */
#define OVERLAY_SCALE  10
#define OVERLAY_CAPTION 30

static int
model_classes (const DigitsModel *model)
{
  return model->net->sizes[model->net->n_layers];
}

/* Cairo's PNG writer into memory, then an atomic save: a failed write leaves no half file. */
static cairo_status_t
append_png_bytes_cb (void *closure, const unsigned char *data, unsigned int length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

static gboolean
save_surface (cairo_surface_t *surface, const char *path, GError **error)
{
  g_autoptr(GByteArray) png = g_byte_array_new ();
  cairo_status_t status = cairo_surface_write_to_png_stream (surface, append_png_bytes_cb, png);

  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_FAILED, _("Could not make the PNG: %s"),
                   cairo_status_to_string (status));
      return FALSE;
    }
  return g_file_set_contents (path, (const char *) png->data, png->len, error);
}

/* ---- eval --json's mistakes ---- */

void
digits_cli_append_mistakes (GString *out, const DigitsEvaluation *evaluation)
{
  guint n;
  g_autofree DigitsVerdict *mistakes = digits_evaluation_mistakes (evaluation, -1, -1, &n);

  g_string_append (out, "\"mistakes\":[");
  for (guint i = 0; i < n; i++)
    {
      g_string_append_printf (out, "%s{\"index\":%u,\"label\":%u,\"predicted\":%u,"
                              "\"confidence\":", i ? "," : "", mistakes[i].index,
                              mistakes[i].label, mistakes[i].answer);
      digits_cli_append_json_number (out, mistakes[i].confidence, "%.6f");
      g_string_append_c (out, '}');
    }
  g_string_append_c (out, ']');
}

/* ---- classify --raw ---- */

/* MNIST stores white ink on black; a raw input that is mostly light is likely the other way
 * round, which the network would read as a blot. Said, not corrected: raw means as is. */
static void
warn_if_inverted (const char *display, const float *input)
{
  double sum = 0;

  for (int i = 0; i < DIGITS_PIXELS; i++)
    sum += input[i];
  if (sum / DIGITS_PIXELS > 0.5)
    g_printerr (_("digits-cli classify: warning: “%s” is mostly light; --raw takes white ink "
                  "on black, as MNIST stores it\n"), display);
}

int
digits_cli_classify_raw (const DigitsModel *model, gboolean json, gboolean show,
                         int argc, char **argv)
{
  const int k = model_classes (model);
  g_autofree float *probs = g_new (float, k);
  int failures = 0;

  for (int i = 1; i < argc; i++)
    {
      g_autofree char *display = g_filename_display_name (argv[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(GString) s = g_string_new (NULL);
      float input[DIGITS_PIXELS];

      if (!digits_input_from_raw_file (argv[i], input, &error))
        {
          failures++;
          digits_cli_report_file_error ("classify", argv[i], error, json);
          continue;
        }
      warn_if_inverted (display, input);

      int best = digits_model_classify (model, input, probs);
      const char *name = digits_model_class_name (model, best);
      if (json)
        {
          g_string_append (s, "{\"file\":");
          digits_cli_append_json_string (s, display);
          g_string_append (s, ",\"digits\":");
          digits_cli_append_json_string (s, name);
          g_string_append (s, ",\"probabilities\":[");
          digits_cli_append_json_floats (s, probs, k, "%.6f");
          g_string_append (s, "]}\n");
        }
      else
        {
          g_string_append_printf (s, "%s: %s\n  %s %5.1f%%  [", display, name, name,
                                  100.0 * probs[best]);
          for (int c = 0; c < k; c++)
            g_string_append_printf (s, c ? " %.3f" : "%.3f", probs[c]);
          g_string_append (s, "]\n");
          if (show)
            digits_cli_append_input_picture (s, input);
        }
      fputs (s->str, stdout);
    }
  return failures ? 1 : 0;
}

/* ---- mistakes: the contact sheet ---- */

static void
draw_thumbnail (cairo_t *cr, const guint8 *pixels, double x, double y)
{
  cairo_surface_t *image = cairo_image_surface_create (CAIRO_FORMAT_RGB24, DIGITS_SIDE,
                                                       DIGITS_SIDE);
  guint8 *data = cairo_image_surface_get_data (image);
  int stride = cairo_image_surface_get_stride (image);

  cairo_surface_flush (image);
  for (int r = 0; r < DIGITS_SIDE; r++)
    for (int c = 0; c < DIGITS_SIDE; c++)
      {
        guint8 v = pixels[r * DIGITS_SIDE + c];
        ((guint32 *) (data + r * stride))[c] = 0xff000000u | v << 16 | v << 8 | v;
      }
  cairo_surface_mark_dirty (image);

  cairo_save (cr);
  cairo_translate (cr, x, y);
  cairo_scale (cr, SHEET_SCALE, SHEET_SCALE);
  cairo_set_source_surface (cr, image, 0, 0);
  /* Each input pixel a crisp square, as the network sees it. */
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
  cairo_paint (cr);
  cairo_restore (cr);
  cairo_surface_destroy (image);
}

static void
draw_centred_text (cairo_t *cr, const char *text, double centre_x, double baseline)
{
  cairo_text_extents_t extents;

  cairo_text_extents (cr, text, &extents);
  cairo_move_to (cr, centre_x - extents.width / 2 - extents.x_bearing, baseline);
  cairo_show_text (cr, text);
}

/* Where the i-th thumbnail goes. */
static void
sheet_position (guint i, int *x, int *y)
{
  *x = SHEET_MARGIN + (int) (i % SHEET_COLUMNS) * SHEET_CELL_W + (SHEET_CELL_W - SHEET_THUMB) / 2;
  *y = SHEET_HEADER + (int) (i / SHEET_COLUMNS) * SHEET_CELL_H;
}

static cairo_surface_t *
draw_sheet (const DigitsModel *model, const DigitsDataset *set, const DigitsVerdict *shown,
            guint n_shown, const char *title)
{
  guint columns = CLAMP (n_shown, 4, SHEET_COLUMNS);
  guint rows = (n_shown + SHEET_COLUMNS - 1) / SHEET_COLUMNS;
  int width = 2 * SHEET_MARGIN + (int) columns * SHEET_CELL_W;
  int height = SHEET_HEADER + (int) rows * SHEET_CELL_H + SHEET_MARGIN;
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cairo_t *cr = cairo_create (surface);

  cairo_set_source_rgb (cr, 0.96, 0.96, 0.95);
  cairo_paint (cr);
  cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  cairo_set_font_size (cr, 14);
  cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
  cairo_move_to (cr, SHEET_MARGIN, 20);
  cairo_show_text (cr, title);

  cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, 12);
  for (guint i = 0; i < n_shown; i++)
    {
      const DigitsVerdict *v = &shown[i];
      g_autofree char *caption = NULL;
      int x, y;

      sheet_position (i, &x, &y);
      draw_thumbnail (cr, set->images + (gsize) v->index * DIGITS_PIXELS, x, y);
      /* TRANSLATORS: under a misread digit: true class → answer, the answer's probability.
       * A tenth more near 100%, so 99.8% is not shown as a certain 100%. */
      caption = g_strdup_printf (v->confidence >= 0.995f ? _("%s→%s %.1f%%")
                                                         : _("%s→%s %.0f%%"),
                                 digits_model_class_name (model, v->label),
                                 digits_model_class_name (model, v->answer),
                                 100.0 * v->confidence);
      cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
      draw_centred_text (cr, caption, x + SHEET_THUMB / 2.0, y + SHEET_THUMB + 15);
    }
  cairo_destroy (cr);
  return surface;
}

/* Where each digit went on the sheet, for tools (and the tests, which check its pixels). */
static void
print_sheet_json (const char *path, guint count, const DigitsVerdict *mistakes, guint n,
                  guint shown)
{
  g_autoptr(GString) s = g_string_new ("{\"out\":");
  g_autofree char *display = g_filename_display_name (path);

  digits_cli_append_json_string (s, display);
  g_string_append_printf (s, ",\"count\":%u,\"misread\":%u,\"scale\":%d,\"digits\":[",
                          count, n, SHEET_SCALE);
  for (guint i = 0; i < shown; i++)
    {
      int x, y;
      sheet_position (i, &x, &y);
      g_string_append_printf (s, "%s{\"index\":%u,\"label\":%u,\"predicted\":%u,\"x\":%d,"
                              "\"y\":%d,\"confidence\":", i ? "," : "", mistakes[i].index,
                              mistakes[i].label, mistakes[i].answer, x, y);
      digits_cli_append_json_number (s, mistakes[i].confidence, "%.6f");
      g_string_append_c (s, '}');
    }
  g_string_append (s, "]}\n");
  fputs (s->str, stdout);
}

/* The digits the options ask for, and what to call them. Both classes given: that cell
 * of the confusion matrix, so --label 3 --predicted 3 gives the least sure right 3s. */
static DigitsVerdict *
select_digits (const DigitsModel *model, const DigitsEvaluation *evaluation, int label,
               int predicted, guint *n, char **what)
{
  const char *t = label >= 0 ? digits_model_class_name (model, label) : NULL;
  const char *p = predicted >= 0 ? digits_model_class_name (model, predicted) : NULL;

  if (label >= 0 && label == predicted)
    *what = g_strdup_printf (_("%s read right, least sure first"), t);
  else if (label >= 0 && predicted >= 0)
    *what = g_strdup_printf (_("%s misread as %s"), t, p);
  else if (label >= 0)
    *what = g_strdup_printf (_("%s misread"), t);
  else if (predicted >= 0)
    *what = g_strdup_printf (_("Digits misread as %s"), p);
  else
    *what = g_strdup (_("Digits misread"));

  if (label >= 0 && predicted >= 0)
    return digits_evaluation_cell (evaluation, label, predicted, n);
  return digits_evaluation_mistakes (evaluation, label, predicted, n);
}

int
digits_cli_mistakes (int argc, char **argv)
{
  g_autofree char *model_path = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *out_path = NULL;
  gboolean json = FALSE;
  gint max = -1, label = -1, predicted = -1;   /* max: -1 when not given */

  GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_path,
      N_("Model file (default: the built-in model)"), N_("FILE") },
    { "data", 'd', 0, G_OPTION_ARG_FILENAME, &data_dir,
      N_("Folder with the MNIST files (default: $DIGITS_MNIST_DIR)"), N_("DIR") },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out_path,
      N_("Write the sheet to FILE.png (default: mistakes.png)"), N_("FILE.png") },
    { "max", 0, 0, G_OPTION_ARG_INT, &max,
      N_("Show only the first N (the most confident mistakes)"), "N" },
    { "label", 0, 0, G_OPTION_ARG_INT, &label,
      N_("Only digits whose true class is K"), "K" },
    { "predicted", 0, 0, G_OPTION_ARG_INT, &predicted,
      N_("Only digits read as K (with --label K too: the least sure right answers)"), "K" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Print one JSON object: each digit shown and where it is on the sheet"), NULL },
    G_OPTION_ENTRY_NULL
  };

  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
                                _("Draw the misread MNIST test digits, most confident first, "
                                  "each with its true class, the answer and how sure it was."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!digits_cli_parse_options (context, &argc, &argv, "mistakes"))
    return 2;
  if (argc > 1)
    return digits_cli_fail ("mistakes", _("unexpected argument; see digits-cli mistakes --help"));
  if (max != -1 && max < 1)
    return digits_cli_fail ("mistakes", _("--max takes a number ≥ 1"));
  if (label < -1 || label > 9 || predicted < -1 || predicted > 9)
    return digits_cli_fail ("mistakes", _("--label and --predicted take a class from 0 to 9"));

  g_autoptr(GError) error = NULL;
  g_autoptr(DigitsModel) model = digits_cli_load_model (model_path, &error);
  if (model == NULL)
    return digits_cli_fail ("mistakes", error->message);

  g_autoptr(DigitsDataset) set = NULL;
  if (!digits_cli_load_mnist (data_dir, FALSE, NULL, &set, &error))
    return digits_cli_fail ("mistakes", error->message);

  g_autoptr(DigitsEvaluation) evaluation = digits_evaluation_run (model, set, NULL, &error);
  if (evaluation == NULL)
    return digits_cli_fail ("mistakes", error->message);

  guint n;
  g_autofree char *what = NULL;
  g_autofree DigitsVerdict *mistakes = select_digits (model, evaluation, label, predicted,
                                                      &n, &what);
  guint shown = max > 0 ? MIN (n, (guint) max) : n;
  g_autofree char *title = NULL;
  if (shown < n)
    /* TRANSLATORS: the sheet's title, e.g. "7 misread as 1: the first 5 of 12, of 10000
     * test digits"; the first %s says which digits ("Digits misread", "7 misread"). */
    title = g_strdup_printf (_("%s: the first %u of %u, of %u test digits"), what, shown, n,
                             set->n);
  else
    /* TRANSLATORS: the sheet's title, e.g. "Digits misread: 50 of 10000 test digits" */
    title = g_strdup_printf (_("%s: %u of %u test digits"), what, n, set->n);
  cairo_surface_t *surface = draw_sheet (model, set, mistakes, shown, title);
  const char *path = out_path ? out_path : "mistakes.png";
  gboolean saved = save_surface (surface, path, &error);
  cairo_surface_destroy (surface);
  if (!saved)
    return digits_cli_fail ("mistakes", error->message);

  if (json)
    print_sheet_json (path, set->n, mistakes, n, shown);
  else
    /* TRANSLATORS: the sheet's title, then the file it was written to */
    printf (_("%s; drawn to %s\n"), title, path);
  return 0;
}

/* ---- explain ---- */

typedef struct {
  gboolean json;
  const char *out_dir;
  int target;                       /* -1: the answer */
  DigitsSaliencyMethod method;
  const char *method_name;
} ExplainOptions;

/* The input as grey ink on white paper, the overlay over it, ten times the size, and a
 * caption saying what the colours mean. */
static cairo_surface_t *
draw_overlay (const DigitsModel *model, const float *input, const float *saliency,
              int answer, float confidence, int target)
{
  guint8 overlay[DIGITS_PIXELS * 4];
  const int side = DIGITS_SIDE * OVERLAY_SCALE;
  cairo_surface_t *image = cairo_image_surface_create (CAIRO_FORMAT_RGB24, DIGITS_SIDE,
                                                       DIGITS_SIDE);
  guint8 *data = cairo_image_surface_get_data (image);
  int stride = cairo_image_surface_get_stride (image);

  digits_saliency_overlay_rgba (saliency, overlay);
  cairo_surface_flush (image);
  for (int i = 0; i < DIGITS_PIXELS; i++)
    {
      const guint8 *o = overlay + 4 * i;
      float paper = 255.0f - 215.0f * CLAMP (input[i], 0.0f, 1.0f);
      float a = o[3] / 255.0f;
      guint32 rgb = 0xff000000u;
      for (int c = 0; c < 3; c++)
        rgb |= (guint32) lroundf (paper * (1 - a) + o[c] * a) << (16 - 8 * c);
      ((guint32 *) (data + (i / DIGITS_SIDE) * stride))[i % DIGITS_SIDE] = rgb;
    }
  cairo_surface_mark_dirty (image);

  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, side,
                                                         side + OVERLAY_CAPTION);
  cairo_t *cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_save (cr);
  cairo_scale (cr, OVERLAY_SCALE, OVERLAY_SCALE);
  cairo_set_source_surface (cr, image, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
  cairo_paint (cr);
  cairo_restore (cr);

  g_autofree char *caption = NULL;
  const char *t = digits_model_class_name (model, target);
  /* TRANSLATORS: under a saliency picture: the answer, its probability, the class explained */
  caption = g_strdup_printf (confidence >= 0.995f
                             ? _("read %s (%.1f%%) · red: for %s · blue: against")
                             : _("read %s (%.0f%%) · red: for %s · blue: against"),
                             digits_model_class_name (model, answer), 100.0 * confidence, t);
  cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, 13);
  cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
  draw_centred_text (cr, caption, side / 2.0, side + 20);
  cairo_destroy (cr);
  cairo_surface_destroy (image);
  return surface;
}

static gboolean
explain_one (const DigitsModel *model, const ExplainOptions *options, const char *file,
             guint position, const float *input, GError **error)
{
  const int k = model_classes (model);
  g_autofree float *probs = g_new (float, k);
  float saliency[DIGITS_PIXELS];
  int answer = digits_model_classify (model, input, probs);
  int target = options->target >= 0 ? options->target : answer;
  g_autofree char *display = g_filename_display_name (file);

  if (!digits_explain_saliency (model, input, target, options->method, 0, saliency, error))
    return FALSE;

  if (options->json)
    {
      g_autoptr(GString) s = g_string_new ("{\"file\":");
      digits_cli_append_json_string (s, display);
      g_string_append_printf (s, ",\"position\":%u,\"answer\":%d,\"target\":%d,\"method\":",
                              position, answer, target);
      digits_cli_append_json_string (s, options->method_name);
      g_string_append (s, ",\"probabilities\":");
      /* Nine significant digits: a tiny probability keeps its logarithm. */
      digits_cli_append_json_floats (s, probs, k, "%.9g");
      g_string_append (s, ",\"input\":");
      digits_cli_append_json_floats (s, input, DIGITS_PIXELS, "%.6g");
      g_string_append (s, ",\"saliency\":");
      digits_cli_append_json_floats (s, saliency, DIGITS_PIXELS, "%.6g");
      g_string_append (s, "}\n");
      fputs (s->str, stdout);
      return TRUE;
    }

  g_autofree char *base = g_path_get_basename (file);
  char *dot = strrchr (base, '.');
  if (dot != NULL && dot != base)
    *dot = '\0';
  g_autofree char *name = options->target >= 0
    ? g_strdup_printf ("%s-%u-why-%d.png", base, position, target)
    : g_strdup_printf ("%s-%u-saliency.png", base, position);
  g_autofree char *path = g_build_filename (options->out_dir, name, NULL);
  cairo_surface_t *surface = draw_overlay (model, input, saliency, answer, probs[answer], target);
  gboolean saved = save_surface (surface, path, error);
  cairo_surface_destroy (surface);
  if (!saved)
    return FALSE;
  g_autofree char *path_display = g_filename_display_name (path);
  printf (_("%s, digit %u: %s (%.1f%%) → %s\n"), display, position,
          digits_model_class_name (model, answer), 100.0 * probs[answer], path_display);
  return TRUE;
}

/* Every digit in one file (or the one raw input), left to right. */
/* The reader's reason with the file named once; always FALSE. */
static gboolean
set_read_error (GError **error, const char *path, const GError *reason)
{
  g_autofree char *message = digits_cli_file_message (path, reason->message);

  g_set_error_literal (error, reason->domain, reason->code, message);
  return FALSE;
}

static gboolean
explain_file (const DigitsModel *model, const ExplainOptions *options, const char *path,
              gboolean raw, GError **error)
{
  g_autoptr(GArray) glyphs = NULL;
  g_autoptr(GError) read_error = NULL;

  if (raw)
    {
      float input[DIGITS_PIXELS];
      if (!digits_input_from_raw_file (path, input, &read_error))
        return set_read_error (error, path, read_error);
      glyphs = g_array_new (FALSE, TRUE, sizeof (DigitsGlyph));
      g_array_set_size (glyphs, 1);
      memcpy (g_array_index (glyphs, DigitsGlyph, 0).input, input, sizeof input);
    }
  else if ((glyphs = digits_glyphs_from_file (path, &read_error)) == NULL)
    return set_read_error (error, path, read_error);

  for (guint g = 0; g < glyphs->len; g++)
    if (!explain_one (model, options, path, g, g_array_index (glyphs, DigitsGlyph, g).input,
                      error))
      return FALSE;
  return TRUE;
}

int
digits_cli_explain (int argc, char **argv)
{
  g_autofree char *model_path = NULL;
  g_autofree char *out_dir = NULL;
  g_autofree char *method = NULL;
  gboolean json = FALSE, raw = FALSE;
  gint target = -1;
  int failures = 0;

  GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_path,
      N_("Model file (default: the built-in model)"), N_("FILE") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("One JSON object per digit: answer, probabilities, input and saliency"), NULL },
    { "out-dir", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir,
      N_("Folder for the pictures (default: the current folder)"), N_("DIR") },
    { "target", 't', 0, G_OPTION_ARG_INT, &target,
      N_("Explain class K instead of the answer (why, or why not, K)"), "K" },
    { "method", 0, 0, G_OPTION_ARG_STRING, &method,
      N_("gradient (gradient × input, the default) or integrated (integrated gradients)"),
      N_("NAME") },
    { "raw", 0, 0, G_OPTION_ARG_NONE, &raw,
      N_("Each image is already the 28×28 input (white ink on black), used as is"), NULL },
    G_OPTION_ENTRY_NULL
  };

  g_autoptr(GOptionContext) context = g_option_context_new (_("IMAGE…"));
  g_option_context_set_summary (context,
                                _("Show which pixels of each digit pushed the network toward "
                                  "its answer (red) and which against it (blue)."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!digits_cli_parse_options (context, &argc, &argv, "explain"))
    return 2;
  if (argc < 2)
    return digits_cli_fail ("explain", _("no image given; see digits-cli explain --help"));

  ExplainOptions options = {
    .json = json, .out_dir = out_dir ? out_dir : ".", .target = target,
    .method = DIGITS_SALIENCY_DEFAULT, .method_name = "gradient",
  };
  if (g_strcmp0 (method, "integrated") == 0)
    options.method = DIGITS_SALIENCY_INTEGRATED_GRADIENTS, options.method_name = "integrated";
  else if (method != NULL && g_strcmp0 (method, "gradient") != 0)
    return digits_cli_fail ("explain", _("--method takes gradient or integrated"));

  g_autoptr(GError) error = NULL;
  g_autoptr(DigitsModel) model = digits_cli_load_model (model_path, &error);
  if (model == NULL)
    return digits_cli_fail ("explain", error->message);
  if (target < -1 || target >= model_classes (model))
    {
      g_autofree char *message = g_strdup_printf (_("--target takes a class from 0 to %d"),
                                                  model_classes (model) - 1);
      return digits_cli_fail ("explain", message);
    }
  if (!json && !g_file_test (options.out_dir, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *display = g_filename_display_name (options.out_dir);
      g_autofree char *message =
        g_strdup_printf (_("--out-dir: “%s” is not a folder"), display);
      return digits_cli_fail ("explain", message);
    }

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GError) image_error = NULL;
      if (!explain_file (model, &options, argv[i], raw, &image_error))
        {
          failures++;
          g_printerr ("digits-cli explain: %s\n", image_error->message);
        }
    }
  return failures ? 1 : 0;
}

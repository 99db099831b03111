/* digits-window-teach.c — correcting an answer: the person's digit kept as their example.
 *
 * With a digit drawn (or a digit of an open image selected), a key 0–9 or the "That's a…"
 * popover keeps the drawing as drawn (ink on paper, full resolution) in the person's
 * digits (core/digits-my-digits), and Enter keeps it as the answer shown. A toast says so
 * and its Undo deletes exactly the file that was written.
 *
 * Copyright 2026 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "digits-canvas.h"
#include "digits-my-digits-view.h"
#include "digits-teach-dialog.h"
#include "digits-window-private.h"

struct _DigitsWindowTeach
{
  DigitsMyDigits *store;          /* opened on first use */
  char           *dir;            /* NULL: the default folder */
  GtkWidget      *correct_button;
  GtkPopover     *popover;
  GtkWidget      *view;           /* weak: the My Digits window while it is open */
  GtkWidget      *dialog;         /* weak: the Teach window while it is open */
  guint           n_kept;         /* this session, for the suggestion */
};

/* After this many kept digits, Digits suggests teaching. */
#define SUGGEST_AFTER 5

/* A margin around an image's digit, as a fraction of its longer side, so that the kept
 * picture has paper around the ink as a drawing has. */
#define CROP_MARGIN 0.25

/* The side of a drawing kept before the canvas has been shown (tests, a hidden page). */
#define UNSHOWN_SIDE 280

DigitsMyDigits *
digits_window_get_my_digits (DigitsWindow  *self,
                             GError       **error)
{
  DigitsWindowTeach *teach = self->teach;
  g_autofree char *dir = NULL;

  if (teach->store != NULL)
    return teach->store;

  dir = teach->dir != NULL ? g_strdup (teach->dir) : digits_my_digits_default_dir ();
  teach->store = digits_my_digits_open (dir, error);
  return teach->store;
}

void
digits_window_set_my_digits_dir (DigitsWindow *self,
                                 const char   *dir)
{
  if (self->teach->view != NULL)
    gtk_window_destroy (GTK_WINDOW (self->teach->view));
  g_clear_pointer (&self->teach->store, digits_my_digits_free);
  g_free (self->teach->dir);
  self->teach->dir = g_strdup (dir);
}

/* The selected digit of the open image, cut out of the picture with some paper round it,
 * on white. NULL when the window shows no image. */
static cairo_surface_t *
crop_selected_glyph (DigitsWindow *self)
{
  const DigitsGlyph *glyph;
  GdkTexture *texture;
  int image_width, image_height, tex_width, tex_height;
  int x0, y0, x1, y1, width, height;
  double sx, sy, margin;
  g_autofree guchar *pixels = NULL;
  cairo_surface_t *whole, *surface;
  cairo_t *cr;

  if (!self->showing_image || self->glyphs == NULL || self->selected < 0 ||
      self->selected >= (int) self->glyphs->len)
    return NULL;
  texture = digits_image_view_get_image (self->image_view, &image_width, &image_height);
  if (texture == NULL || image_width <= 0 || image_height <= 0)
    return NULL;

  glyph = &g_array_index (self->glyphs, DigitsGlyph, self->selected);
  tex_width = gdk_texture_get_width (texture);
  tex_height = gdk_texture_get_height (texture);
  sx = (double) tex_width / image_width;
  sy = (double) tex_height / image_height;
  margin = CROP_MARGIN * MAX (glyph->width, glyph->height);
  x0 = CLAMP ((int) ((glyph->x - margin) * sx), 0, tex_width - 1);
  y0 = CLAMP ((int) ((glyph->y - margin) * sy), 0, tex_height - 1);
  x1 = CLAMP ((int) ((glyph->x + glyph->width + margin) * sx + 1), x0 + 1, tex_width);
  y1 = CLAMP ((int) ((glyph->y + glyph->height + margin) * sy + 1), y0 + 1, tex_height);
  width = x1 - x0;
  height = y1 - y0;

  /* gdk_texture_download gives cairo's premultiplied ARGB32. */
  pixels = g_malloc ((gsize) tex_width * tex_height * 4);
  gdk_texture_download (texture, pixels, (gsize) tex_width * 4);
  whole = cairo_image_surface_create_for_data (pixels, CAIRO_FORMAT_ARGB32,
                                               tex_width, tex_height, tex_width * 4);
  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1.0, 1.0, 1.0);
  cairo_paint (cr);
  cairo_set_source_surface (cr, whole, -x0, -y0);
  cairo_paint (cr);
  cairo_destroy (cr);
  cairo_surface_destroy (whole);

  return surface;
}

/* What a toast's Undo needs: which file to delete, in which window. */
typedef struct {
  GWeakRef window;
  guint    label;
  char    *name;
} Kept;

static void
kept_free (gpointer data,
           GClosure *closure)
{
  Kept *kept = data;

  g_weak_ref_clear (&kept->window);
  g_free (kept->name);
  g_free (kept);
}

static void
undo_keep_clicked_cb (AdwToast *toast,
                      Kept     *kept)
{
  g_autoptr (DigitsWindow) self = g_weak_ref_get (&kept->window);
  g_autoptr (GError) error = NULL;
  DigitsRemovedExample *removed;

  if (self == NULL || self->teach->store == NULL)
    return;
  removed = digits_my_digits_delete (self->teach->store, kept->label, kept->name, &error);
  if (removed == NULL)
    {
      g_autofree char *title = g_strdup_printf (_("Could not undo: %s"), error->message);
      digits_window_add_toast (self, adw_toast_new (title));
      return;
    }
  digits_removed_example_free (removed);
}

gboolean
digits_window_keep_example (DigitsWindow *self,
                            int           label)
{
  cairo_surface_t *surface;
  g_autoptr (GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *title = NULL;
  DigitsMyDigits *store;
  AdwToast *toast;
  Kept *kept;

  g_return_val_if_fail (DIGITS_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (label >= 0 && label < DIGITS_MY_DIGITS_CLASSES, FALSE);

  if (self->showing_image)
    surface = crop_selected_glyph (self);
  else
    surface = digits_canvas_render_ink (self->canvas, UNSHOWN_SIDE);
  if (surface == NULL)
    return FALSE;

  store = digits_window_get_my_digits (self, &error);
  if (store != NULL)
    name = digits_my_digits_add_surface (store, label, surface, &error);
  cairo_surface_destroy (surface);

  if (name == NULL)
    {
      /* TRANSLATORS: %d is a digit, %s says what went wrong. */
      title = g_strdup_printf (_("Could not keep your %d: %s"), label, error->message);
      toast = adw_toast_new (title);
      adw_toast_set_timeout (toast, 0);
      digits_window_add_toast (self, toast);
      return FALSE;
    }

  if (self->teach->view != NULL)
    digits_my_digits_view_reload (DIGITS_MY_DIGITS_VIEW (self->teach->view));

  /* TRANSLATORS: %d is the digit the person says they wrote. */
  title = g_strdup_printf (_("Kept as your %d"), label);
  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("_Undo"));
  kept = g_new0 (Kept, 1);
  g_weak_ref_init (&kept->window, self);
  kept->label = (guint) label;
  kept->name = g_steal_pointer (&name);
  g_signal_connect_data (toast, "button-clicked", G_CALLBACK (undo_keep_clicked_cb),
                         kept, kept_free, 0);
  digits_window_add_toast (self, toast);

  if (++self->teach->n_kept == SUGGEST_AFTER)
    {
      /* TRANSLATORS: %d is how many digits the person has kept. */
      g_autofree char *suggest = g_strdup_printf (ngettext ("You have corrected %d digit — "
                                                            "Teach Digits your hand?",
                                                            "You have corrected %d digits — "
                                                            "Teach Digits your hand?",
                                                            SUGGEST_AFTER),
                                                  SUGGEST_AFTER);
      toast = adw_toast_new (suggest);
      adw_toast_set_button_label (toast, _("_Teach…"));
      adw_toast_set_action_name (toast, "teach.teach");
      digits_window_add_toast (self, toast);
    }
  return TRUE;
}

/* The answer shown for what is drawn or selected, or -1. */
static int
get_answer_shown (DigitsWindow *self)
{
  if (self->showing_image)
    {
      if (self->glyph_tops == NULL || self->glyphs == NULL || self->selected < 0 ||
          self->selected >= (int) self->glyphs->len)
        return -1;
      return self->glyph_tops[self->selected];
    }
  if (!self->canvas_has_input || self->model == NULL)
    return -1;
  return self->canvas_top;
}

gboolean
digits_window_teach_key (DigitsWindow    *self,
                         guint            keyval,
                         GdkModifierType  state)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));
  int label = -1;

  if ((state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SUPER_MASK)) != 0)
    return FALSE;
  if (g_strcmp0 (adw_view_stack_get_visible_child_name (self->main_stack), "draw") != 0)
    return FALSE;
  /* Digits typed into a text field are text. */
  if (focus != NULL && (GTK_IS_EDITABLE (focus) || GTK_IS_TEXT_VIEW (focus)))
    return FALSE;

  if (keyval >= GDK_KEY_0 && keyval <= GDK_KEY_9)
    label = (int) (keyval - GDK_KEY_0);
  else if (keyval >= GDK_KEY_KP_0 && keyval <= GDK_KEY_KP_9)
    label = (int) (keyval - GDK_KEY_KP_0);
  else if (keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter)
    label = get_answer_shown (self);

  if (label < 0 || label >= DIGITS_MY_DIGITS_CLASSES)
    return FALSE;
  return digits_window_keep_example (self, label);
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                DigitsWindow          *self)
{
  return digits_window_teach_key (self, keyval, state);
}

static void
digit_clicked_cb (GtkButton    *button,
                  DigitsWindow *self)
{
  int label = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "digit"));

  gtk_popover_popdown (self->teach->popover);
  digits_window_keep_example (self, label);
}

/* "That's a…": a keypad of the ten digits, beside the answer. */
static void
add_correct_button (DigitsWindow *self)
{
  GtkWidget *answer_box = gtk_widget_get_parent (GTK_WIDGET (self->answer_label));
  GtkWidget *grid = gtk_grid_new ();
  GtkWidget *popover = gtk_popover_new ();
  GtkWidget *button = gtk_menu_button_new ();

  gtk_grid_set_row_spacing (GTK_GRID (grid), 6);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 6);
  for (int k = 0; k < DIGITS_MY_DIGITS_CLASSES; k++)
    {
      char text[2] = { (char) ('0' + k), '\0' };
      GtkWidget *digit = gtk_button_new_with_label (text);
      g_autofree char *tip = g_strdup_printf (_("Keep as your %d"), k);

      gtk_widget_set_tooltip_text (digit, tip);
      gtk_widget_add_css_class (digit, "flat");
      g_object_set_data (G_OBJECT (digit), "digit", GINT_TO_POINTER (k));
      g_signal_connect (digit, "clicked", G_CALLBACK (digit_clicked_cb), self);
      gtk_grid_attach (GTK_GRID (grid), digit, k % 5, k / 5, 1, 1);
    }
  gtk_popover_set_child (GTK_POPOVER (popover), grid);

  gtk_menu_button_set_label (GTK_MENU_BUTTON (button), _("That’s a…"));
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (button), popover);
  gtk_widget_set_tooltip_text (button, _("Keep this digit as your own example (keys 0–9)"));
  gtk_widget_set_halign (button, GTK_ALIGN_START);
  gtk_widget_set_margin_top (button, 6);
  gtk_box_append (GTK_BOX (answer_box), button);

  self->teach->correct_button = button;
  self->teach->popover = GTK_POPOVER (popover);
}

GtkWindow *
digits_window_show_my_digits (DigitsWindow *self)
{
  g_autoptr (GError) error = NULL;
  DigitsMyDigits *store;

  if (self->teach->view != NULL)
    {
      digits_my_digits_view_reload (DIGITS_MY_DIGITS_VIEW (self->teach->view));
      gtk_window_present (GTK_WINDOW (self->teach->view));
      return GTK_WINDOW (self->teach->view);
    }

  store = digits_window_get_my_digits (self, &error);
  if (store == NULL)
    {
      digits_window_add_toast (self, adw_toast_new (error->message));
      return NULL;
    }
  g_set_weak_pointer (&self->teach->view,
                      GTK_WIDGET (digits_my_digits_view_new (GTK_WINDOW (self), store)));
  gtk_window_present (GTK_WINDOW (self->teach->view));
  return GTK_WINDOW (self->teach->view);
}

GtkWindow *
digits_window_show_teach (DigitsWindow *self)
{
  g_autoptr (GError) error = NULL;
  DigitsMyDigits *store;

  if (self->teach->dialog == NULL)
    {
      store = digits_window_get_my_digits (self, &error);
      if (store == NULL)
        {
          digits_window_add_toast (self, adw_toast_new (error->message));
          return NULL;
        }
      g_set_weak_pointer (&self->teach->dialog,
                          GTK_WIDGET (digits_teach_dialog_new (self,
                                                               digits_my_digits_get_dir (store))));
    }
  gtk_window_present (GTK_WINDOW (self->teach->dialog));
  return GTK_WINDOW (self->teach->dialog);
}

static void
teach_activated_cb (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  digits_window_show_teach (DIGITS_WINDOW (user_data));
}

static void
my_digits_activated_cb (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  digits_window_show_my_digits (DIGITS_WINDOW (user_data));
}

void
digits_window_teach_init (DigitsWindow *self)
{
  GtkEventController *keys = gtk_event_controller_key_new ();
  g_autoptr (GSimpleActionGroup) group = g_simple_action_group_new ();
  static const GActionEntry entries[] = {
    { .name = "my-digits", .activate = my_digits_activated_cb },
    { .name = "teach", .activate = teach_activated_cb },
  };

  self->teach = g_new0 (DigitsWindowTeach, 1);
  g_action_map_add_action_entries (G_ACTION_MAP (group), entries, G_N_ELEMENTS (entries), self);
  gtk_widget_insert_action_group (GTK_WIDGET (self), "teach", G_ACTION_GROUP (group));
  g_signal_connect (keys, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
  add_correct_button (self);
  digits_window_teach_update (self);
}

void
digits_window_teach_update (DigitsWindow *self)
{
  if (self->teach == NULL || self->teach->correct_button == NULL)
    return;
  gtk_widget_set_visible (self->teach->correct_button,
                          self->showing_image || !digits_canvas_is_empty (self->canvas));
}

void
digits_window_teach_free (DigitsWindow *self)
{
  if (self->teach == NULL)
    return;
  /* The view borrows the store: it goes first. */
  if (self->teach->view != NULL)
    gtk_window_destroy (GTK_WINDOW (self->teach->view));
  g_clear_weak_pointer (&self->teach->view);
  if (self->teach->dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->teach->dialog));
  g_clear_weak_pointer (&self->teach->dialog);
  g_clear_pointer (&self->teach->store, digits_my_digits_free);
  g_clear_pointer (&self->teach->dir, g_free);
  g_clear_pointer (&self->teach, g_free);
}

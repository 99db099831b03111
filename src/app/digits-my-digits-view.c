/* digits-my-digits-view.c — the person's digits, in a window of their own.
 *
 * One group per class, its heading with the count and a row of thumbnails; a thumbnail's
 * menu deletes the example (with Undo) or moves it to another class. Import and Export
 * copy a folder in the same layout (0/ … 9/). Files the store cannot use are listed by
 * name under the classes: they are skipped, never deleted.
 *
 * Copyright 2026 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "digits-my-digits-view.h"
#include "digits-my-digits-view-private.h"

/* Thumbnails shown a class: enough to recognise one's hand, bounded for 10,000 examples. */
#define MAX_SHOWN 48
#define THUMB_SIDE 56

struct _DigitsMyDigitsView
{
  AdwWindow             parent_instance;

  DigitsMyDigits       *store;         /* borrowed from the parent window */
  AdwToastOverlay      *toasts;
  GtkWidget            *classes_box;
  GtkLabel             *skipped_label;
  GtkLabel             *headings[DIGITS_MY_DIGITS_CLASSES];
  guint                 n_shown[DIGITS_MY_DIGITS_CLASSES];
  GPtrArray            *import_notes;  /* of char *: the last import's skipped files */
  GtkFileChooserNative *chooser;
  char                 *last_toast;
};

G_DEFINE_FINAL_TYPE (DigitsMyDigitsView, digits_my_digits_view, ADW_TYPE_WINDOW)

static void
show_toast (DigitsMyDigitsView *self,
            AdwToast           *toast)
{
  g_free (self->last_toast);
  self->last_toast = g_strdup (adw_toast_get_title (toast));
  adw_toast_overlay_add_toast (self->toasts, toast);
}

static void
show_text_toast (DigitsMyDigitsView *self,
                 const char         *text)
{
  show_toast (self, adw_toast_new (text));
}

/* ---- one example's menu ---- */

typedef struct {
  DigitsMyDigitsView *view;
  guint               label;
  char               *name;
  GtkPopover         *popover;
} Example;

static void
example_free (gpointer data)
{
  Example *example = data;

  g_free (example->name);
  g_free (example);
}

static void
delete_clicked_cb (GtkButton *button,
                   Example   *example)
{
  DigitsMyDigitsView *self = example->view;
  g_autofree char *name = g_strdup (example->name);

  gtk_popover_popdown (example->popover);
  /* The rebuild frees example: only copies are used after it. */
  digits_my_digits_view_delete (self, example->label, name);
}

static void
move_clicked_cb (GtkButton *button,
                 Example   *example)
{
  DigitsMyDigitsView *self = example->view;
  guint to = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "digit"));
  guint label = example->label;
  g_autofree char *name = g_strdup (example->name);

  gtk_popover_popdown (example->popover);
  digits_my_digits_view_relabel (self, label, name, to);
}

static GtkWidget *
create_example_menu (Example *example)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *grid = gtk_grid_new ();
  GtkWidget *delete = gtk_button_new_with_mnemonic (_("_Delete"));
  GtkWidget *popover = gtk_popover_new ();
  GtkWidget *move = gtk_label_new (_("Move to"));

  gtk_widget_add_css_class (delete, "destructive-action");
  g_signal_connect (delete, "clicked", G_CALLBACK (delete_clicked_cb), example);
  gtk_box_append (GTK_BOX (box), delete);
  gtk_widget_set_halign (move, GTK_ALIGN_START);
  gtk_widget_add_css_class (move, "dim-label");
  gtk_box_append (GTK_BOX (box), move);

  for (guint k = 0; k < DIGITS_MY_DIGITS_CLASSES; k++)
    {
      char text[2] = { (char) ('0' + k), '\0' };
      GtkWidget *digit = gtk_button_new_with_label (text);

      gtk_widget_add_css_class (digit, "flat");
      gtk_widget_set_sensitive (digit, k != example->label);
      g_object_set_data (G_OBJECT (digit), "digit", GUINT_TO_POINTER (k));
      g_signal_connect (digit, "clicked", G_CALLBACK (move_clicked_cb), example);
      gtk_grid_attach (GTK_GRID (grid), digit, k % 5, k / 5, 1, 1);
    }
  gtk_box_append (GTK_BOX (box), grid);
  gtk_popover_set_child (GTK_POPOVER (popover), box);
  example->popover = GTK_POPOVER (popover);
  return popover;
}

static GtkWidget *
create_thumbnail (DigitsMyDigitsView *self,
                  guint               label,
                  const char         *name)
{
  g_autofree char *path = digits_my_digits_path (self->store, label, name);
  g_autoptr (GdkTexture) texture = gdk_texture_new_from_filename (path, NULL);
  GtkWidget *button = gtk_menu_button_new ();
  GtkWidget *picture;
  Example *example = g_new0 (Example, 1);

  example->view = self;
  example->label = label;
  example->name = g_strdup (name);
  g_object_set_data_full (G_OBJECT (button), "example", example, example_free);

  /* An unreadable file still gets a button, so that it can be deleted or moved. */
  picture = texture != NULL ? gtk_picture_new_for_paintable (GDK_PAINTABLE (texture))
                            : gtk_label_new ("?");
  gtk_widget_set_size_request (picture, THUMB_SIDE, THUMB_SIDE);
  gtk_menu_button_set_child (GTK_MENU_BUTTON (button), picture);
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (button), create_example_menu (example));
  gtk_widget_set_tooltip_text (button, name);
  gtk_widget_add_css_class (button, "flat");
  return button;
}

/* ---- the lists ---- */

static void
update_skipped (DigitsMyDigitsView *self)
{
  GPtrArray *skipped = digits_my_digits_skipped (self->store);
  g_autoptr (GString) text = g_string_new (NULL);

  for (guint i = 0; skipped != NULL && i < skipped->len; i++)
    g_string_append_printf (text, "%s%s", text->len > 0 ? "\n" : "",
                            (const char *) g_ptr_array_index (skipped, i));
  for (guint i = 0; i < self->import_notes->len; i++)
    g_string_append_printf (text, "%s%s", text->len > 0 ? "\n" : "",
                            (const char *) g_ptr_array_index (self->import_notes, i));
  gtk_label_set_text (self->skipped_label, text->str);
  gtk_widget_set_visible (GTK_WIDGET (self->skipped_label), text->len > 0);
}

static void
rebuild (DigitsMyDigitsView *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (self->classes_box)) != NULL)
    gtk_box_remove (GTK_BOX (self->classes_box), child);

  for (guint k = 0; k < DIGITS_MY_DIGITS_CLASSES; k++)
    {
      GPtrArray *names = digits_my_digits_list (self->store, k);
      guint count = digits_my_digits_count (self->store, k);
      g_autofree char *heading = NULL;
      GtkWidget *label, *flow;

      /* TRANSLATORS: a digit and how many of the person's examples it has. */
      heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u — %u example",
                                              "%u — %u examples", count), k, count);
      label = gtk_label_new (heading);
      gtk_widget_set_halign (label, GTK_ALIGN_START);
      gtk_widget_add_css_class (label, "heading");
      gtk_box_append (GTK_BOX (self->classes_box), label);
      self->headings[k] = GTK_LABEL (label);

      flow = gtk_flow_box_new ();
      gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (flow), GTK_SELECTION_NONE);
      gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (flow), 12);
      self->n_shown[k] = 0;
      for (guint i = 0; names != NULL && i < names->len && i < MAX_SHOWN; i++)
        {
          gtk_flow_box_append (GTK_FLOW_BOX (flow),
                               create_thumbnail (self, k, g_ptr_array_index (names, i)));
          self->n_shown[k]++;
        }
      gtk_widget_set_visible (flow, self->n_shown[k] > 0);
      gtk_box_append (GTK_BOX (self->classes_box), flow);
    }
  update_skipped (self);
}

void
digits_my_digits_view_reload (DigitsMyDigitsView *self)
{
  g_autoptr (GError) error = NULL;

  g_return_if_fail (DIGITS_IS_MY_DIGITS_VIEW (self));

  if (!digits_my_digits_rescan (self->store, &error))
    show_text_toast (self, error->message);
  rebuild (self);
}

/* ---- what the buttons do ---- */

typedef struct {
  DigitsMyDigitsView   *view;     /* the toast lives in the view's overlay */
  DigitsRemovedExample *removed;
} Removed;

static void
removed_free (gpointer data,
              GClosure *closure)
{
  Removed *removed = data;

  digits_removed_example_free (removed->removed);
  g_free (removed);
}

static void
undo_delete_clicked_cb (AdwToast *toast,
                        Removed  *removed)
{
  DigitsMyDigitsView *self = removed->view;
  g_autoptr (GError) error = NULL;
  g_autofree char *name = digits_my_digits_restore (self->store, removed->removed, &error);

  if (name == NULL)
    show_text_toast (self, error->message);
  rebuild (self);
}

gboolean
digits_my_digits_view_delete (DigitsMyDigitsView *self,
                              guint               label,
                              const char         *name)
{
  g_autoptr (GError) error = NULL;
  DigitsRemovedExample *removed_example;
  g_autofree char *title = NULL;
  AdwToast *toast;
  Removed *removed;

  g_return_val_if_fail (DIGITS_IS_MY_DIGITS_VIEW (self), FALSE);

  removed_example = digits_my_digits_delete (self->store, label, name, &error);
  if (removed_example == NULL)
    {
      show_text_toast (self, error->message);
      return FALSE;
    }

  /* TRANSLATORS: %u is a digit. */
  title = g_strdup_printf (_("Deleted one of your %us"), label);
  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("_Undo"));
  removed = g_new0 (Removed, 1);
  removed->view = self;
  removed->removed = removed_example;
  g_signal_connect_data (toast, "button-clicked", G_CALLBACK (undo_delete_clicked_cb),
                         removed, removed_free, 0);
  show_toast (self, toast);
  rebuild (self);
  return TRUE;
}

gboolean
digits_my_digits_view_relabel (DigitsMyDigitsView *self,
                               guint               label,
                               const char         *name,
                               guint               new_label)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *new_name = NULL;
  g_autofree char *title = NULL;

  g_return_val_if_fail (DIGITS_IS_MY_DIGITS_VIEW (self), FALSE);

  new_name = digits_my_digits_relabel (self->store, label, name, new_label, &error);
  if (new_name == NULL)
    {
      show_text_toast (self, error->message);
      return FALSE;
    }
  /* TRANSLATORS: %u is a digit. */
  title = g_strdup_printf (_("Moved to your %us"), new_label);
  show_text_toast (self, title);
  rebuild (self);
  return TRUE;
}

int
digits_my_digits_view_import (DigitsMyDigitsView *self,
                              const char         *dir)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *title = NULL;
  int n;

  g_return_val_if_fail (DIGITS_IS_MY_DIGITS_VIEW (self), -1);

  g_ptr_array_set_size (self->import_notes, 0);
  n = digits_my_digits_import (self->store, dir, self->import_notes, &error);
  if (n < 0)
    show_text_toast (self, error->message);
  else
    {
      title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Imported %d digit",
                                            "Imported %d digits", n), n);
      show_text_toast (self, title);
    }
  rebuild (self);
  return n;
}

int
digits_my_digits_view_export (DigitsMyDigitsView *self,
                              const char         *dir)
{
  g_autoptr (GPtrArray) notes = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  g_autofree char *title = NULL;
  int n;

  g_return_val_if_fail (DIGITS_IS_MY_DIGITS_VIEW (self), -1);

  n = digits_my_digits_export (self->store, dir, notes, &error);
  if (n < 0)
    show_text_toast (self, error->message);
  else
    {
      title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Exported %d digit",
                                            "Exported %d digits", n), n);
      show_text_toast (self, title);
    }
  return n;
}

/* ---- folder choosers ---- */

void
digits_my_digits_view_folder_chosen (DigitsMyDigitsView *self,
                                     GFile              *folder)
{
  g_autofree char *path = NULL;
  gboolean importing;

  g_return_if_fail (DIGITS_IS_MY_DIGITS_VIEW (self));
  g_return_if_fail (self->chooser != NULL);

  importing = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (self->chooser), "import"));
  gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);

  if (folder != NULL)
    path = g_file_get_path (folder);
  if (folder != NULL && path == NULL)
    show_text_toast (self, _("Choose a folder on this computer"));
  else if (path != NULL && importing)
    digits_my_digits_view_import (self, path);
  else if (path != NULL)
    digits_my_digits_view_export (self, path);
}

GtkFileChooser *
digits_my_digits_view_get_chooser (DigitsMyDigitsView *self)
{
  g_return_val_if_fail (DIGITS_IS_MY_DIGITS_VIEW (self), NULL);

  return self->chooser != NULL ? GTK_FILE_CHOOSER (self->chooser) : NULL;
}

static void
folder_chosen_cb (GtkNativeDialog    *dialog,
                  int                 response,
                  DigitsMyDigitsView *self)
{
  g_autoptr (GFile) folder = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  digits_my_digits_view_folder_chosen (self, folder);
}

static void
choose_folder (DigitsMyDigitsView *self,
               gboolean            importing)
{
  if (self->chooser != NULL)
    {
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
      g_clear_object (&self->chooser);
    }
  self->chooser = gtk_file_chooser_native_new (importing ? _("Import Digits From a Folder")
                                                         : _("Export Your Digits to a Folder"),
                                               GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                               importing ? _("_Import") : _("_Export"),
                                               NULL);
  g_object_set_data (G_OBJECT (self->chooser), "import", GINT_TO_POINTER (importing));
  g_signal_connect (self->chooser, "response", G_CALLBACK (folder_chosen_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
import_clicked_cb (GtkButton          *button,
                   DigitsMyDigitsView *self)
{
  choose_folder (self, TRUE);
}

static void
export_clicked_cb (GtkButton          *button,
                   DigitsMyDigitsView *self)
{
  choose_folder (self, FALSE);
}

/* ---- the object ---- */

static void
build_window (DigitsMyDigitsView *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *import = gtk_button_new_with_mnemonic (_("_Import…"));
  GtkWidget *export = gtk_button_new_with_mnemonic (_("_Export…"));
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *inner = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *skipped = gtk_label_new (NULL);

  gtk_widget_set_tooltip_text (import, _("Copy digits from a folder with 0/ … 9/ in it"));
  gtk_widget_set_tooltip_text (export, _("Copy your digits to a folder, one folder a class"));
  g_signal_connect (import, "clicked", G_CALLBACK (import_clicked_cb), self);
  g_signal_connect (export, "clicked", G_CALLBACK (export_clicked_cb), self);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), import);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), export);
  gtk_box_append (GTK_BOX (box), header);

  self->classes_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_box_append (GTK_BOX (inner), self->classes_box);
  gtk_label_set_wrap (GTK_LABEL (skipped), TRUE);
  gtk_label_set_xalign (GTK_LABEL (skipped), 0);
  gtk_label_set_selectable (GTK_LABEL (skipped), TRUE);
  gtk_widget_add_css_class (skipped, "dim-label");
  self->skipped_label = GTK_LABEL (skipped);
  gtk_box_append (GTK_BOX (inner), skipped);
  gtk_widget_set_margin_top (inner, 12);
  gtk_widget_set_margin_bottom (inner, 12);
  gtk_widget_set_margin_start (inner, 12);
  gtk_widget_set_margin_end (inner, 12);
  adw_clamp_set_child (ADW_CLAMP (clamp), inner);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_box_append (GTK_BOX (box), scrolled);

  self->toasts = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  adw_toast_overlay_set_child (self->toasts, box);
  adw_window_set_content (ADW_WINDOW (self), GTK_WIDGET (self->toasts));
}

static void
digits_my_digits_view_dispose (GObject *object)
{
  DigitsMyDigitsView *self = DIGITS_MY_DIGITS_VIEW (object);

  if (self->chooser != NULL)
    {
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
      g_clear_object (&self->chooser);
    }
  G_OBJECT_CLASS (digits_my_digits_view_parent_class)->dispose (object);
}

static void
digits_my_digits_view_finalize (GObject *object)
{
  DigitsMyDigitsView *self = DIGITS_MY_DIGITS_VIEW (object);

  g_clear_pointer (&self->import_notes, g_ptr_array_unref);
  g_clear_pointer (&self->last_toast, g_free);
  G_OBJECT_CLASS (digits_my_digits_view_parent_class)->finalize (object);
}

static void
digits_my_digits_view_class_init (DigitsMyDigitsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = digits_my_digits_view_dispose;
  object_class->finalize = digits_my_digits_view_finalize;
}

static void
digits_my_digits_view_init (DigitsMyDigitsView *self)
{
  self->import_notes = g_ptr_array_new_with_free_func (g_free);
  gtk_window_set_title (GTK_WINDOW (self), _("My Digits"));
  gtk_window_set_default_size (GTK_WINDOW (self), 640, 560);
  build_window (self);
}

DigitsMyDigitsView *
digits_my_digits_view_new (GtkWindow      *parent,
                           DigitsMyDigits *store)
{
  DigitsMyDigitsView *self;

  g_return_val_if_fail (store != NULL, NULL);

  self = g_object_new (DIGITS_TYPE_MY_DIGITS_VIEW,
                       "transient-for", parent,
                       "destroy-with-parent", TRUE,
                       NULL);
  self->store = store;
  digits_my_digits_view_reload (self);
  return self;
}

const char *
digits_my_digits_view_get_heading (DigitsMyDigitsView *self,
                                   guint               label)
{
  g_return_val_if_fail (label < DIGITS_MY_DIGITS_CLASSES, NULL);
  return gtk_label_get_text (self->headings[label]);
}

guint
digits_my_digits_view_get_n_shown (DigitsMyDigitsView *self,
                                   guint               label)
{
  g_return_val_if_fail (label < DIGITS_MY_DIGITS_CLASSES, 0);
  return self->n_shown[label];
}

const char *
digits_my_digits_view_get_skipped (DigitsMyDigitsView *self)
{
  return gtk_widget_get_visible (GTK_WIDGET (self->skipped_label))
         ? gtk_label_get_text (self->skipped_label) : "";
}

const char *
digits_my_digits_view_get_last_toast (DigitsMyDigitsView *self)
{
  return self->last_toast;
}

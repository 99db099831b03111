/* digits-mistakes-view.c — a gallery of test digits from an evaluation.
 *
 * Two drop-downs pick the true digit and the answer. With both set the gallery is that
 * confusion-matrix cell, exactly as many digits as the cell counts (a diagonal cell: its
 * least sure right answers first, the ones nearest to a mistake); otherwise it is the
 * misreads, surest first, since a confident mistake says most about the network. Each
 * thumbnail is a button with the top two answers; activating it emits "digit-activated"
 * with the digit's index in the data set.
 *
 * Copyright 2026 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "digits-chart.h"
#include "digits-mistakes-view.h"

#define THUMB_SIDE 56

struct _DigitsMistakesView
{
  GtkWidget               parent_instance;

  GtkWidget              *box;
  GtkDropDown            *label_dropdown;
  GtkDropDown            *answer_dropdown;
  GtkLabel               *count_label;
  GtkFlowBox             *flow;

  const DigitsEvaluation *evaluation;
  const DigitsDataset    *set;
  DigitsVerdict          *shown;
  guint                   n_shown;
  gboolean                updating;
};

enum {
  SIGNAL_DIGIT_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (DigitsMistakesView, digits_mistakes_view, GTK_TYPE_WIDGET)

/* The digit as dark ink on white, like the canvas. */
static GdkTexture *
create_thumbnail (const guint8 *pixels)
{
  guint8 *rgb = g_malloc (28 * 28 * 3);
  g_autoptr (GBytes) bytes = NULL;

  for (int i = 0; i < 28 * 28; i++)
    rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = 255 - pixels[i];
  bytes = g_bytes_new_take (rgb, 28 * 28 * 3);

  return gdk_memory_texture_new (28, 28, GDK_MEMORY_R8G8B8, bytes, 28 * 3);
}

static void
thumb_clicked_cb (GtkButton          *button,
                  DigitsMistakesView *self)
{
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "digits-index"));

  g_signal_emit (self, signals[SIGNAL_DIGIT_ACTIVATED], 0, index);
}

static GtkWidget *
create_thumb (DigitsMistakesView  *self,
              const DigitsVerdict *v)
{
  GtkWidget *button = gtk_button_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *picture;
  GtkWidget *label;
  g_autoptr (GdkTexture) texture = NULL;
  g_autofree char *text = NULL;
  g_autofree char *name = NULL;

  texture = create_thumbnail (self->set->images + (gsize) v->index * 28 * 28);
  picture = gtk_picture_new_for_paintable (GDK_PAINTABLE (texture));
  gtk_picture_set_can_shrink (GTK_PICTURE (picture), FALSE);
  gtk_widget_set_size_request (picture, THUMB_SIDE, THUMB_SIDE);
  gtk_widget_add_css_class (picture, "card");
  gtk_box_append (GTK_BOX (box), picture);

  /* TRANSLATORS: a thumbnail's top two answers: "1 93% · 7 5%" */
  text = g_strdup_printf (_("%u %d%% · %u %d%%"), v->answer, digits_percent (v->confidence),
                          v->second, digits_percent (v->second_confidence));
  label = gtk_label_new (text);
  gtk_widget_add_css_class (label, "caption");
  gtk_widget_add_css_class (label, "numeric");
  gtk_box_append (GTK_BOX (box), label);

  gtk_button_set_child (GTK_BUTTON (button), box);
  gtk_widget_add_css_class (button, "flat");
  /* TRANSLATORS: a test digit in the gallery: "7 read as 1, 93% sure" */
  name = g_strdup_printf (_("%u read as %u, %d%% sure"), v->label, v->answer,
                          digits_percent (v->confidence));
  gtk_widget_set_tooltip_text (button, name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                  -1);
  g_object_set_data (G_OBJECT (button), "digits-index", GUINT_TO_POINTER (v->index));
  g_signal_connect (button, "clicked", G_CALLBACK (thumb_clicked_cb), self);

  return button;
}

static int
get_choice (GtkDropDown *dropdown)
{
  guint selected = gtk_drop_down_get_selected (dropdown);

  return selected == 0 || selected == GTK_INVALID_LIST_POSITION ? -1 : (int) selected - 1;
}

static void
refill (DigitsMistakesView *self)
{
  int label = get_choice (self->label_dropdown);
  int answer = get_choice (self->answer_dropdown);
  GtkWidget *child;
  g_autofree char *count = NULL;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->flow))) != NULL)
    gtk_flow_box_remove (self->flow, child);
  g_clear_pointer (&self->shown, g_free);
  self->n_shown = 0;

  if (self->evaluation == NULL || self->set == NULL)
    {
      gtk_label_set_text (self->count_label, _("Evaluate a model to see its mistakes"));
      return;
    }

  if (label >= 0 && answer >= 0)
    self->shown = digits_evaluation_cell (self->evaluation, label, answer, &self->n_shown);
  else
    self->shown = digits_evaluation_mistakes (self->evaluation, label, answer,
                                              &self->n_shown);

  for (guint i = 0; i < self->n_shown; i++)
    gtk_flow_box_append (self->flow, create_thumb (self, &self->shown[i]));

  if (label >= 0 && label == answer)
    count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'u right answer, least sure first",
                                          "%'u right answers, least sure first",
                                          self->n_shown), self->n_shown);
  else
    count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'u mistake, surest first",
                                          "%'u mistakes, surest first", self->n_shown),
                             self->n_shown);
  gtk_label_set_text (self->count_label, count);
}

static void
filter_changed_cb (DigitsMistakesView *self)
{
  if (!self->updating)
    refill (self);
}

static GtkDropDown *
create_dropdown (const char *title)
{
  static const char * const choices[] = { N_("Any"), "0", "1", "2", "3", "4", "5", "6", "7",
                                          "8", "9", NULL };
  g_autoptr (GtkStringList) list = gtk_string_list_new (NULL);
  GtkDropDown *dropdown;

  for (int i = 0; choices[i] != NULL; i++)
    gtk_string_list_append (list, i == 0 ? _(choices[i]) : choices[i]);
  dropdown = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (g_steal_pointer (&list)), NULL));
  gtk_accessible_update_property (GTK_ACCESSIBLE (dropdown),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                  -1);
  return dropdown;
}

static void
digits_mistakes_view_dispose (GObject *object)
{
  DigitsMistakesView *self = DIGITS_MISTAKES_VIEW (object);

  g_clear_pointer (&self->box, gtk_widget_unparent);
  g_clear_pointer (&self->shown, g_free);

  G_OBJECT_CLASS (digits_mistakes_view_parent_class)->dispose (object);
}

static void
digits_mistakes_view_class_init (DigitsMistakesViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = digits_mistakes_view_dispose;

  /**
   * DigitsMistakesView::digit-activated:
   * @index: the digit's index in the data set
   */
  signals[SIGNAL_DIGIT_ACTIVATED] =
    g_signal_new ("digit-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "digitsmistakesview");
}

static void
digits_mistakes_view_init (DigitsMistakesView *self)
{
  GtkWidget *bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *scroller = gtk_scrolled_window_new ();

  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  /* TRANSLATORS: the Mistakes view's filters: "True digit [7]  Read as [1]" */
  self->label_dropdown = create_dropdown (_("True digit"));
  self->answer_dropdown = create_dropdown (_("Read as"));
  gtk_box_append (GTK_BOX (bar), gtk_label_new (_("True digit")));
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->label_dropdown));
  gtk_box_append (GTK_BOX (bar), gtk_label_new (_("Read as")));
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->answer_dropdown));
  self->count_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_hexpand (GTK_WIDGET (self->count_label), TRUE);
  gtk_label_set_xalign (self->count_label, 1.0f);
  gtk_widget_add_css_class (GTK_WIDGET (self->count_label), "dim-label");
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->count_label));
  gtk_widget_set_margin_start (bar, 12);
  gtk_widget_set_margin_end (bar, 12);
  gtk_widget_set_margin_top (bar, 12);
  gtk_box_append (GTK_BOX (self->box), bar);

  self->flow = GTK_FLOW_BOX (gtk_flow_box_new ());
  gtk_flow_box_set_selection_mode (self->flow, GTK_SELECTION_NONE);
  gtk_flow_box_set_homogeneous (self->flow, TRUE);
  gtk_flow_box_set_max_children_per_line (self->flow, 40);
  gtk_widget_set_valign (GTK_WIDGET (self->flow), GTK_ALIGN_START);
  gtk_widget_set_margin_start (GTK_WIDGET (self->flow), 6);
  gtk_widget_set_margin_end (GTK_WIDGET (self->flow), 6);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (self->flow));
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scroller, TRUE);
  gtk_box_append (GTK_BOX (self->box), scroller);

  g_signal_connect_swapped (self->label_dropdown, "notify::selected",
                            G_CALLBACK (filter_changed_cb), self);
  g_signal_connect_swapped (self->answer_dropdown, "notify::selected",
                            G_CALLBACK (filter_changed_cb), self);
  refill (self);
}

GtkWidget *
digits_mistakes_view_new (void)
{
  return g_object_new (DIGITS_TYPE_MISTAKES_VIEW, NULL);
}

void
digits_mistakes_view_set_evaluation (DigitsMistakesView     *self,
                                     const DigitsEvaluation *evaluation,
                                     const DigitsDataset    *set)
{
  g_return_if_fail (DIGITS_IS_MISTAKES_VIEW (self));

  self->evaluation = evaluation;
  self->set = set;
  refill (self);
}

void
digits_mistakes_view_set_filter (DigitsMistakesView *self,
                                 int                 label,
                                 int                 answer)
{
  g_return_if_fail (DIGITS_IS_MISTAKES_VIEW (self));

  self->updating = TRUE;
  gtk_drop_down_set_selected (self->label_dropdown, label >= 0 && label < 10 ? label + 1 : 0);
  gtk_drop_down_set_selected (self->answer_dropdown,
                              answer >= 0 && answer < 10 ? answer + 1 : 0);
  self->updating = FALSE;
  refill (self);
}

const DigitsVerdict *
digits_mistakes_view_get_shown (DigitsMistakesView *self,
                                guint              *n)
{
  g_return_val_if_fail (DIGITS_IS_MISTAKES_VIEW (self), NULL);

  *n = self->n_shown;
  return self->shown;
}

void
digits_mistakes_view_activate (DigitsMistakesView *self,
                               guint               position)
{
  GtkFlowBoxChild *child;

  g_return_if_fail (DIGITS_IS_MISTAKES_VIEW (self));

  child = gtk_flow_box_get_child_at_index (self->flow, (int) position);
  if (child != NULL)
    g_signal_emit_by_name (gtk_flow_box_child_get_child (child), "clicked");
}

GtkWindow *
digits_mistakes_window_new (GtkWidget           *parent,
                            DigitsMistakesView **view)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  GtkRoot *root = gtk_widget_get_root (parent);
  GtkEventController *shortcuts;

  gtk_window_set_title (window, _("Mistakes"));
  gtk_window_set_default_size (window, 720, 560);
  gtk_window_set_hide_on_close (window, TRUE);
  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (window, GTK_WINDOW (root));
  shortcuts = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Escape,
                                                                                  0),
                                                          gtk_named_action_new ("window.close")));
  gtk_widget_add_controller (GTK_WIDGET (window), shortcuts);
  *view = DIGITS_MISTAKES_VIEW (digits_mistakes_view_new ());
  gtk_window_set_child (window, GTK_WIDGET (*view));

  return window;
}

/* digits-window-private.h — what the window's files share, and what only tests use.
 *
 * The window is split by concern, as gnome-text-editor's is: digits-window.c (the
 * GObject, its state, messages and the model in use), -answer.c (the network's answer
 * to the canvas or an image), -actions.c (actions, file choosers, dialogs) and -dnd.c
 * (open, paste and drop images, read off the main thread).
 *
 * Copyright 2026 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "core/digits-model-store.h"
#include "core/digits-my-digits.h"
#include "core/digits-preprocess.h"
#include "digits-chart.h"
#include "digits-fold-box.h"
#include "digits-glyph-row.h"
#include "digits-image-view.h"
#include "digits-preview.h"
#include "digits-window.h"

G_BEGIN_DECLS

/* Below this probability the answer is given as a guess ("Maybe 7? 48%"). */
#define DIGITS_UNSURE_BELOW 0.6f

struct _DigitsWindow
{
  AdwApplicationWindow parent_instance;

  /* template */
  AdwToastOverlay  *toast_overlay;
  GtkWidget        *content;
  GtkSpinner       *spinner;
  GtkRevealer      *message_revealer;
  GtkWidget        *message_box;
  GtkLabel         *message_label;
  GtkWidget        *message_open_button;
  AdwViewStack     *main_stack;
  DigitsFoldBox    *draw_page;
  GtkAspectFrame   *canvas_frame;
  GtkWidget        *result_box;
  GtkStack         *input_stack;
  DigitsCanvas     *canvas;
  GtkWidget        *hint_label;
  DigitsImageView  *image_view;
  DigitsGlyphRow   *glyph_row;
  GtkLabel         *image_name_label;
  GtkLabel         *answer_label;
  GtkLabel         *caption_label;
  GtkLabel         *chart_heading;
  DigitsChart      *chart;
  DigitsPreview    *preview;
  DigitsTrainView  *train_view;
  GtkBox           *inspect_box;

  GSettings        *settings;           /* NULL when the schema is not installed */
  DigitsModelStore *store;              /* the model in use, kept across restarts */
  GtkNativeDialog  *file_chooser;
  GCancellable     *load_cancellable;
  guint             n_loading;
  gboolean          disposed;

  /* What answers: a copy of the model in use, or a training run's model on trial. */
  DigitsModel      *model;
  guint             n_classes;
  DigitsModel      *previous;           /* the model in use before "Use This Model" */
  gboolean          previous_builtin;

  /* The canvas's answer. */
  float             canvas_input[DIGITS_PIXELS];
  gboolean          canvas_has_input;
  gboolean          input_is_test_digit;  /* canvas_input is a digit from the gallery */
  DigitsPlacement   canvas_placement;   /* where the strokes went in canvas_input */
  float            *canvas_probs;       /* n_classes */
  int               canvas_top;

  /* The open image's answer. */
  gboolean          showing_image;
  GArray           *glyphs;             /* of DigitsGlyph */
  float            *glyph_probs;        /* glyphs->len × n_classes */
  int              *glyph_tops;
  int               selected;
  char             *reading;

  struct _DigitsInspect *inspect;       /* digits-window-inspect.c */

  char             *last_toast;
  AdwToast         *last_toast_shown;   /* weak: gone when the toast is dismissed */

  /* Teach: the person's digits (digits-window-teach.c). */
  struct _DigitsWindowTeach *teach;
};

/* digits-window.c */
void        digits_window_show_message     (DigitsWindow   *self,
                                            GtkMessageType  type,
                                            gboolean        offer_model,
                                            const char     *format,
                                            ...) G_GNUC_PRINTF (4, 5);
void        digits_window_hide_message     (DigitsWindow   *self);
void        digits_window_update_actions   (DigitsWindow   *self);

/* digits-window-answer.c */
void        digits_window_answer_canvas    (DigitsWindow   *self);
void        digits_window_show_canvas_answer (DigitsWindow *self);
void        digits_window_answer_image     (DigitsWindow   *self);
void        digits_window_select_glyph     (DigitsWindow   *self,
                                            int             index);
const char *digits_window_get_class_name   (DigitsWindow   *self,
                                            int             k);

/* digits-window-actions.c */
void        digits_window_class_add_actions (GtkWidgetClass *widget_class);
void        digits_window_clear_file_chooser (DigitsWindow  *self);

/* A model on trial (Train, Teach): answers until kept (with an Undo toast) or discarded. */
void        digits_window_try_model        (DigitsWindow      *self,
                                            const DigitsModel *model);
void        digits_window_keep_tried_model (DigitsWindow      *self,
                                            const DigitsModel *model);
void        digits_window_discard_tried_model (DigitsWindow   *self);

/* Shows a toast (taken) and remembers it for tests. */
void        digits_window_add_toast        (DigitsWindow   *self,
                                            AdwToast       *toast);

/* digits-window-teach.c */
typedef struct _DigitsWindowTeach DigitsWindowTeach;
void        digits_window_teach_init       (DigitsWindow   *self);
void        digits_window_teach_update     (DigitsWindow   *self);
void        digits_window_teach_free       (DigitsWindow   *self);
/* The person's digits, opened on first use; NULL with error when the folder cannot be. */
DigitsMyDigits *digits_window_get_my_digits (DigitsWindow  *self,
                                            GError        **error);
/* Keeps what is drawn (or the selected digit of the open image) as the person's example
 * of label, with a toast; FALSE (after an error toast when writing failed) otherwise. */
gboolean    digits_window_keep_example     (DigitsWindow   *self,
                                            int             label);
/* Opens (or raises) the My Digits window; NULL after an error toast. */
GtkWindow  *digits_window_show_my_digits   (DigitsWindow   *self);
/* Opens (or raises) the Teach window; NULL after an error toast. */
GtkWindow  *digits_window_show_teach       (DigitsWindow   *self);
/* A key on the Draw page: 0–9 keeps the digit as that class, Enter as the answer shown. */
gboolean    digits_window_teach_key        (DigitsWindow   *self,
                                            guint           keyval,
                                            GdkModifierType state);
/* digits-window-inspect.c: test digits from the gallery, looking inside the network */
void        digits_window_class_add_inspect (GtkWidgetClass *widget_class);
void        digits_window_show_test_digit  (DigitsWindow   *self,
                                            const float    *input);
void        digits_window_forget_test_digit (DigitsWindow  *self);
void        digits_window_init_inspect     (DigitsWindow   *self);
void        digits_window_finalize_inspect (DigitsWindow   *self);
void        digits_window_inspect_model_changed (DigitsWindow *self);
/* For tests: the "Why this answer" toggle and its digit (-1: the answer). */
void        digits_window_set_why          (DigitsWindow   *self,
                                            gboolean        active,
                                            int             target);
/* The saliency shown, or NULL when the toggle is off or there is no input. */
const float *digits_window_get_saliency    (DigitsWindow   *self,
                                            int            *target);
/* For tests: the model in use's answer shown beside a trial model's, or -1. */
int         digits_window_get_versus       (DigitsWindow   *self);
/* For tests: open "What each layer sees"; how often it was worked out, and its rows. */
void        digits_window_set_layers_shown (DigitsWindow   *self,
                                            gboolean        shown);
guint       digits_window_get_layer_updates (DigitsWindow  *self,
                                             guint         *n_rows);
/* For the frame figures: main-thread µs spent working them out and painting them. */
gint64      digits_window_get_layer_update_time (DigitsWindow *self);

/* digits-window-dnd.c */
void        digits_window_init_dnd         (DigitsWindow   *self);
void        digits_window_paste            (DigitsWindow   *self);

/* For tests only. */
/* The model answering; the window starts with the model in use. */
const DigitsModel *digits_window_get_model      (DigitsWindow      *self);
/* The canvas's answer: the class, or -1 with an empty canvas or no model. */
int                digits_window_get_prediction (DigitsWindow      *self,
                                                 float             *confidence);
/* The line under the answer: "Draw a digit", "98% sure", "Maybe 7? 48%"… */
const char        *digits_window_get_status     (DigitsWindow      *self);
/* What the open image was read as ("7", "2024"), or NULL. */
const char        *digits_window_get_reading    (DigitsWindow      *self);
/* The message shown in the window, or NULL. */
const char        *digits_window_get_message    (DigitsWindow      *self);
DigitsCanvas      *digits_window_get_canvas     (DigitsWindow      *self);
GtkWidget         *digits_window_get_chart      (DigitsWindow      *self);
GtkWidget         *digits_window_get_preview    (DigitsWindow      *self);
DigitsTrainView   *digits_window_get_train_view (DigitsWindow      *self);
gboolean           digits_window_is_loading     (DigitsWindow      *self);
gboolean           digits_window_is_on_trial    (DigitsWindow      *self);

const char *digits_window_get_last_toast   (DigitsWindow   *self);
/* Presses the last toast's button (its Undo), while it is shown; FALSE otherwise. */
gboolean    digits_window_press_toast_button (DigitsWindow *self);
void        digits_window_show_page        (DigitsWindow   *self,
                                            const char     *name);
/* Keeps the person's digits in dir instead of $XDG_DATA_HOME/digits/my-digits. */
void        digits_window_set_my_digits_dir (DigitsWindow  *self,
                                            const char     *dir);

G_END_DECLS

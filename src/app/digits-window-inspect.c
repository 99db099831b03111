/* digits-window-inspect.c — the Draw page as a place to look into the network: a test
 * digit picked in the Train page's gallery becomes its input.
 *
 * Copyright 2026 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "digits-train-view.h"
#include "digits-window-private.h"

static void
train_show_digit_cb (DigitsTrainView *view,
                     const float     *input,
                     DigitsWindow    *self)
{
  digits_window_show_test_digit (self, input);
}

void
digits_window_class_add_inspect (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, train_show_digit_cb);
}

/* The test digit's own pixels, not redrawn: the input is exactly what was evaluated. */
void
digits_window_show_test_digit (DigitsWindow *self,
                               const float  *input)
{
  g_return_if_fail (DIGITS_IS_WINDOW (self));

  digits_window_close_image (self);
  digits_canvas_clear (self->canvas);
  memcpy (self->canvas_input, input, sizeof self->canvas_input);
  self->canvas_has_input = TRUE;
  self->input_is_test_digit = TRUE;
  digits_window_answer_canvas (self);
  digits_window_update_actions (self);
  digits_window_show_page (self, "draw");
}

void
digits_window_forget_test_digit (DigitsWindow *self)
{
  if (!self->input_is_test_digit)
    return;

  self->input_is_test_digit = FALSE;
  digits_window_answer_canvas (self);
  digits_window_update_actions (self);
}

/* test-app-desktop.c — Digits as a desktop citizen, under Xvfb: its translations, the
 * keyboard (every action reachable, every shortcut listed, Tab in a sensible order),
 * what screen readers hear, window sizes and the light or dark style.
 *
 * tests/app/meson.build runs each case as its own meson test with the environment it
 * needs (LANGUAGE=de for /desktop/translated, GTK_A11Y=test for /desktop/accessible, a
 * private D-Bus with a fake settings portal for /desktop/portal-style).
 *
 * Copyright 2026 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <gtk/gtk.h>
#include <locale.h>
#include <math.h>
#include <string.h>

#include "app-test-util.h"
#include "digits-application.h"
#include "digits-window.h"
#include "digits-window-private.h"

static DigitsApplication *app;

/* ---- helpers ---- */

static gboolean
has_model (DigitsWindow *window)
{
  if (digits_window_get_model (window) != NULL)
    return TRUE;

  g_test_skip ("The built-in model could not be loaded");
  return FALSE;
}

static gboolean
is_label_with_text (GtkWidget *widget,
                    gpointer   text)
{
  return GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), text) == 0;
}

static gboolean
is_menu_button (GtkWidget *widget,
                gpointer   data)
{
  return GTK_IS_MENU_BUTTON (widget);
}

static gboolean
is_actionable_with (GtkWidget *widget,
                    gpointer   action_name)
{
  return GTK_IS_ACTIONABLE (widget) &&
         g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action_name) == 0;
}

static GtkMenuButton *
get_menu_button (DigitsWindow *window)
{
  GtkWidget *titlebar = digits_test_get_header_bar (window);
  GtkWidget *button = digits_test_find_widget (titlebar, is_menu_button, NULL);

  g_assert_nonnull (button);
  return GTK_MENU_BUTTON (button);
}

/* The label of the menu item that activates @action, or NULL; searches sections too. */
static char *
find_menu_label (GMenuModel *model,
                 const char *action)
{
  for (int i = 0; i < g_menu_model_get_n_items (model); i++)
    {
      g_autofree char *item_action = NULL;
      g_autofree char *label = NULL;
      g_autoptr (GMenuModel) section = NULL;

      if (g_menu_model_get_item_attribute (model, i, G_MENU_ATTRIBUTE_ACTION, "s",
                                           &item_action) &&
          g_strcmp0 (item_action, action) == 0 &&
          g_menu_model_get_item_attribute (model, i, G_MENU_ATTRIBUTE_LABEL, "s", &label))
        return g_steal_pointer (&label);

      section = g_menu_model_get_item_link (model, i, G_MENU_LINK_SECTION);
      if (section == NULL)
        section = g_menu_model_get_item_link (model, i, G_MENU_LINK_SUBMENU);
      if (section != NULL)
        {
          char *found = find_menu_label (section, action);

          if (found != NULL)
            return found;
        }
    }

  return NULL;
}

/* ---- shortcuts ---- */

typedef struct {
  guint           keyval;
  GdkModifierType mods;
} Key;

static void
add_key (GArray          *keys,
         guint            keyval,
         GdkModifierType  mods)
{
  /* The keypad's Delete is the same key to a person, and listed as Delete. */
  Key key = { gdk_keyval_to_lower (keyval == GDK_KEY_KP_Delete ? GDK_KEY_Delete : keyval),
              mods & gtk_accelerator_get_default_mod_mask () };

  g_array_append_val (keys, key);
}

static gboolean
has_key (GArray          *keys,
         guint            keyval,
         GdkModifierType  mods)
{
  keyval = gdk_keyval_to_lower (keyval == GDK_KEY_KP_Delete ? GDK_KEY_Delete : keyval);
  mods &= gtk_accelerator_get_default_mod_mask ();

  for (guint i = 0; i < keys->len; i++)
    {
      Key *key = &g_array_index (keys, Key, i);

      if (key->keyval == keyval && key->mods == mods)
        return TRUE;
    }

  return FALSE;
}

static void
add_trigger_keys (GArray             *keys,
                  GtkShortcutTrigger *trigger)
{
  if (GTK_IS_KEYVAL_TRIGGER (trigger))
    add_key (keys, gtk_keyval_trigger_get_keyval (GTK_KEYVAL_TRIGGER (trigger)),
             gtk_keyval_trigger_get_modifiers (GTK_KEYVAL_TRIGGER (trigger)));
  else if (GTK_IS_ALTERNATIVE_TRIGGER (trigger))
    {
      GtkAlternativeTrigger *alternative = GTK_ALTERNATIVE_TRIGGER (trigger);

      add_trigger_keys (keys, gtk_alternative_trigger_get_first (alternative));
      add_trigger_keys (keys, gtk_alternative_trigger_get_second (alternative));
    }
}

/* The keys that trigger an action in @widget's own shortcut controllers (those of its
 * class: gtk_widget_class_add_binding_action). */
static void
collect_widget_shortcuts (GtkWidget *widget,
                          GArray    *keys,
                          GPtrArray *actions)
{
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr (GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;

      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr (GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          GtkShortcutAction *action = gtk_shortcut_get_action (shortcut);

          if (!GTK_IS_NAMED_ACTION (action))
            continue;

          add_trigger_keys (keys, gtk_shortcut_get_trigger (shortcut));
          if (actions != NULL)
            g_ptr_array_add (actions, g_strdup (gtk_named_action_get_action_name (
                                                  GTK_NAMED_ACTION (action))));
        }
    }
}

/* The keys of the application's accelerators (gtk_application_set_accels_for_action). */
static void
collect_app_accels (GArray    *keys,
                    GPtrArray *actions)
{
  g_auto (GStrv) detailed = gtk_application_list_action_descriptions (GTK_APPLICATION (app));

  for (guint i = 0; detailed[i] != NULL; i++)
    {
      g_auto (GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app),
                                                                      detailed[i]);

      for (guint j = 0; accels[j] != NULL; j++)
        {
          guint keyval;
          GdkModifierType mods;

          g_assert_true (gtk_accelerator_parse (accels[j], &keyval, &mods));
          add_key (keys, keyval, mods);
          if (actions != NULL)
            g_ptr_array_add (actions, g_strdup (detailed[i]));
        }
    }
}

/* Every key listed in the shortcuts window (an accelerator property may hold several,
 * separated by spaces). */
static void
collect_listed_keys (GtkWidget *widget,
                     GArray    *keys)
{
  if (GTK_IS_SHORTCUTS_SHORTCUT (widget))
    {
      g_autofree char *accelerator = NULL;
      g_auto (GStrv) parts = NULL;

      g_object_get (widget, "accelerator", &accelerator, NULL);
      parts = g_strsplit (accelerator != NULL ? accelerator : "", " ", -1);
      for (guint i = 0; parts[i] != NULL; i++)
        {
          guint keyval;
          GdkModifierType mods;

          if (*parts[i] == '\0')
            continue;
          g_assert_true (gtk_accelerator_parse (parts[i], &keyval, &mods));
          add_key (keys, keyval, mods);
        }
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_listed_keys (child, keys);
}

/* The actions that Digits' own widget classes install (win.open, train.keep…), not
 * GTK's (window.close, default.activate…), for @widget and everything in it. */
static void
collect_class_actions (GtkWidget *widget,
                       GPtrArray *actions)
{
  GtkWidgetClass *klass = GTK_WIDGET_GET_CLASS (widget);
  GType type = G_OBJECT_TYPE (widget);
  GType owner;
  const char *name;
  const GVariantType *parameter_type;
  const char *property_name;

  /* GTK 4.8 needs every out argument. */
  for (guint i = 0; gtk_widget_class_query_action (klass, i, &owner, &name, &parameter_type,
                                                    &property_name);
       i++)
    if (owner == type && g_str_has_prefix (g_type_name (type), "Digits") &&
        !g_ptr_array_find_with_equal_func (actions, name, g_str_equal, NULL))
      g_ptr_array_add (actions, g_strdup (name));

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_class_actions (child, actions);
}

/* Keys of the shortcut controllers of Digits' own widgets: @widget and all in it. */
static void
collect_all_shortcuts (GtkWidget *widget,
                       GArray    *keys,
                       GPtrArray *actions)
{
  if (g_str_has_prefix (G_OBJECT_TYPE_NAME (widget), "Digits"))
    collect_widget_shortcuts (widget, keys, actions);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_all_shortcuts (child, keys, actions);
}

/* ---- focus ---- */

/* What Tab does: the next focusable widget, starting over at the end. */
static GtkWidget *
press_tab (DigitsWindow *window)
{
  if (!gtk_widget_child_focus (GTK_WIDGET (window), GTK_DIR_TAB_FORWARD))
    {
      gtk_window_set_focus (GTK_WINDOW (window), NULL);
      gtk_widget_child_focus (GTK_WIDGET (window), GTK_DIR_TAB_FORWARD);
    }

  return gtk_root_get_focus (GTK_ROOT (window));
}

/* The widget in @stops (NULL-terminated) that is @focus or holds it, or -1. */
static int
find_stop (GtkWidget  *focus,
           GtkWidget **stops)
{
  for (int i = 0; stops[i] != NULL; i++)
    if (focus == stops[i] || (focus != NULL && gtk_widget_is_ancestor (focus, stops[i])))
      return i;

  return -1;
}

/* ---- tests ---- */

/* Run with LANGUAGE=de: the window, its menu and its answers are German. */
static void
test_translated (void)
{
  DigitsWindow *window;
  GtkMenuButton *menu_button;
  GtkWidget *open_button;
  g_autofree char *open_label = NULL;
  g_autofree char *about_label = NULL;

  if (g_strcmp0 (g_getenv ("LANGUAGE"), "de") != 0)
    {
      g_test_skip ("Needs LANGUAGE=de");
      return;
    }

  /* The string itself, so that a missing .mo fails here and not in every check below. */
  g_assert_cmpstr (_("Draw a digit here"), ==, "Zeichnen Sie hier eine Ziffer");

  window = digits_test_create_window (app);

  /* A template label, translated by GtkBuilder through the interface's domain. */
  g_assert_nonnull (digits_test_find_widget (GTK_WIDGET (window), is_label_with_text,
                                 (gpointer) "Zeichnen Sie hier eine Ziffer"));
  g_assert_nonnull (digits_test_find_widget (GTK_WIDGET (window), is_label_with_text,
                                 (gpointer) "Wahrscheinlichkeiten"));

  /* Set from C: the empty canvas's caption. */
  g_assert_cmpstr (digits_window_get_status (window), ==, "Zeichnen Sie eine Ziffer");

  /* The window's actions as the main menu and the header bar offer them. */
  menu_button = get_menu_button (window);
  open_label = find_menu_label (gtk_menu_button_get_menu_model (menu_button), "win.open");
  g_assert_cmpstr (open_label, ==, "Bild _öffnen …");
  about_label = find_menu_label (gtk_menu_button_get_menu_model (menu_button), "app.about");
  g_assert_cmpstr (about_label, ==, "_Info zu Digits");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (menu_button)), ==, "Hauptmenü");
  open_button = digits_test_find_widget (digits_test_get_header_bar (window),
                             is_actionable_with, (gpointer) "win.open");
  g_assert_nonnull (open_button);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (open_button)), ==, "_Öffnen");

  /* An answer, with its number formatted by the translation. */
  if (has_model (window))
    {
      float confidence;

      digits_test_add_line (digits_window_get_canvas (window), 0.5f, 0.15f, 0.5f, 0.85f);
      g_assert_cmpint (digits_window_get_prediction (window, &confidence), ==, 1);
      if (confidence >= 0.6f)
        g_assert_true (g_str_has_suffix (digits_window_get_status (window), "sicher"));
      else
        g_assert_true (g_str_has_prefix (digits_window_get_status (window), "Vielleicht"));
    }

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Every key the window or the application answers to is in the shortcuts window. */
static void
test_shortcuts_listed (void)
{
  DigitsWindow *window = digits_test_create_window (app);
  GtkWidget *overlay;
  g_autoptr (GArray) handled = g_array_new (FALSE, FALSE, sizeof (Key));
  g_autoptr (GArray) listed = g_array_new (FALSE, FALSE, sizeof (Key));

  overlay = GTK_WIDGET (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window)));
  g_assert_nonnull (overlay);
  collect_listed_keys (overlay, listed);

  collect_all_shortcuts (GTK_WIDGET (window), handled, NULL);
  collect_app_accels (handled, NULL);
  g_assert_cmpuint (handled->len, >, 5);

  for (guint i = 0; i < handled->len; i++)
    {
      Key *key = &g_array_index (handled, Key, i);
      g_autofree char *name = gtk_accelerator_name (key->keyval, key->mods);

      if (!has_key (listed, key->keyval, key->mods))
        g_error ("%s is a shortcut but is not in the shortcuts window", name);
    }

  /* The shortcuts window lists itself (GtkApplication sets Ctrl+? for it) and F10. */
  g_assert_true (has_key (listed, GDK_KEY_question, GDK_CONTROL_MASK));
  g_assert_true (has_key (handled, GDK_KEY_question, GDK_CONTROL_MASK));
  g_assert_true (has_key (listed, GDK_KEY_F10, 0));

  /* F10 opens the main menu: GtkWindow does that for the primary menu button. */
  g_assert_true (gtk_menu_button_get_primary (get_menu_button (window)));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Every window and application action has a key, a focusable button or a menu item. */
static void
test_actions_reachable (void)
{
  DigitsWindow *window = digits_test_create_window (app);
  GMenuModel *menu = gtk_menu_button_get_menu_model (get_menu_button (window));
  g_autoptr (GArray) keys = g_array_new (FALSE, FALSE, sizeof (Key));
  g_autoptr (GPtrArray) with_keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) actions = g_ptr_array_new_with_free_func (g_free);
  g_auto (GStrv) app_actions = g_action_group_list_actions (G_ACTION_GROUP (app));
  g_auto (GStrv) win_actions = g_action_group_list_actions (G_ACTION_GROUP (window));

  collect_all_shortcuts (GTK_WIDGET (window), keys, with_keys);
  collect_app_accels (keys, with_keys);

  /* The actions of Digits' widget classes (win.open, train.keep…), of the application
   * window (win.show-help-overlay) and of the application (app.about…). */
  collect_class_actions (GTK_WIDGET (window), actions);
  for (guint i = 0; win_actions[i] != NULL; i++)
    g_ptr_array_add (actions, g_strconcat ("win.", win_actions[i], NULL));
  for (guint i = 0; app_actions[i] != NULL; i++)
    g_ptr_array_add (actions, g_strconcat ("app.", app_actions[i], NULL));

  for (guint i = 0; i < actions->len; i++)
    {
      const char *action = g_ptr_array_index (actions, i);
      g_autofree char *menu_label = find_menu_label (menu, action);
      GtkWidget *button = digits_test_find_widget (GTK_WIDGET (window), is_actionable_with,
                                       (gpointer) action);

      if (g_ptr_array_find_with_equal_func (with_keys, action, g_str_equal, NULL) ||
          menu_label != NULL ||
          (button != NULL && gtk_widget_get_focusable (button)))
        continue;

      g_error ("%s has no key, no menu item and no focusable button", action);
    }

  g_assert_true (g_ptr_array_find_with_equal_func (actions, "win.open", g_str_equal, NULL));

  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
is_main_stack (GtkWidget *widget,
               gpointer   data)
{
  return ADW_IS_VIEW_STACK (widget) &&
         adw_view_stack_get_child_by_name (ADW_VIEW_STACK (widget), "train") != NULL;
}

/* The drawing's keys (Ctrl+Z, Delete, Escape) do nothing to a drawing the Train page
 * hides, and an image opened from the Train page is shown. */
static void
test_train_page_keys (void)
{
  DigitsWindow *window = digits_test_create_window (app);
  DigitsCanvas *canvas = digits_window_get_canvas (window);
  GtkWidget *stack = digits_test_find_widget (GTK_WIDGET (window), is_main_stack, NULL);
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  guchar *pixels;

  g_assert_nonnull (stack);
  digits_test_add_line (canvas, 0.5f, 0.15f, 0.5f, 0.85f);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.undo", NULL));
  digits_test_add_line (canvas, 0.5f, 0.15f, 0.5f, 0.85f);

  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (stack), "train");
  digits_test_wait_frames ();
  gtk_widget_activate_action (GTK_WIDGET (window), "win.clear", NULL);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.undo", NULL);
  g_assert_cmpuint (digits_canvas_get_n_strokes (canvas), ==, 1);

  /* A black bar on white: a 1. */
  pixels = g_malloc (64 * 64 * 4);
  for (int i = 0; i < 64 * 64; i++)
    {
      gboolean ink = i % 64 >= 28 && i % 64 < 36 && i / 64 >= 8 && i / 64 < 56;

      memset (pixels + i * 4, ink ? 0 : 255, 3);
      pixels[i * 4 + 3] = 255;
    }
  bytes = g_bytes_new_take (pixels, 64 * 64 * 4);
  texture = gdk_memory_texture_new (64, 64, GDK_MEMORY_R8G8B8A8, bytes, 64 * 4);
  digits_window_open_texture (window, texture, "bar.png");
  g_assert_true (digits_test_wait_until (digits_test_is_idle, window, 10));
  digits_test_wait_frames ();
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (ADW_VIEW_STACK (stack)), ==, "draw");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.close-image", NULL));
  g_assert_cmpuint (digits_canvas_get_n_strokes (canvas), ==, 1);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Tab goes from the canvas to what acts on it, to the answer, then to the header bar. */
static void
test_focus_order (void)
{
  DigitsWindow *window = digits_test_create_window (app);
  GtkWidget *titlebar = digits_test_get_header_bar (window);
  GtkWidget *canvas = GTK_WIDGET (digits_window_get_canvas (window));
  GtkWidget *stops[7] = { NULL, };
  int last = -1;
  guint seen = 0;

  /* Undo and Clear only take focus when there is something to undo. */
  digits_test_add_line (digits_window_get_canvas (window), 0.5f, 0.15f, 0.5f, 0.85f);
  digits_test_wait_frames ();

  stops[0] = canvas;
  stops[1] = digits_test_find_widget (GTK_WIDGET (window), is_actionable_with,
                                      (gpointer) "win.undo");
  stops[2] = digits_test_find_widget (GTK_WIDGET (window), is_actionable_with,
                                      (gpointer) "win.clear");
  stops[3] = digits_window_get_chart (window);
  stops[4] = digits_test_find_widget (titlebar, is_actionable_with, (gpointer) "win.open");
  stops[5] = GTK_WIDGET (get_menu_button (window));
  for (int i = 0; i < 6; i++)
    g_assert_nonnull (stops[i]);

  /* The window opens with the canvas as its focus widget: drawing and the canvas's keys
   * need no click first. (Whether the X server makes this window the active one is up
   * to it, and other test programs' windows on the same Xvfb compete for that.) */
  g_assert_true (gtk_root_get_focus (GTK_ROOT (window)) == canvas);

  /* Round the window twice: each stop comes once a round, in this order. */
  for (int i = 0; i < 40 && seen < 12; i++)
    {
      GtkWidget *focus = press_tab (window);
      int stop = find_stop (focus, stops);

      if (stop < 0)
        continue;

      g_test_message ("Tab %d: %s", i, G_OBJECT_TYPE_NAME (focus));
      if (last >= 0)
        g_assert_cmpint (stop, ==, (last + 1) % 6);
      last = stop;
      seen++;
    }
  g_assert_cmpuint (seen, ==, 12);

  /* Focus that can be seen: the canvas and the chart draw a focus ring. */
  gtk_widget_grab_focus (digits_window_get_chart (window));
  g_assert_true (gtk_widget_has_focus (digits_window_get_chart (window)));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Run with GTK_A11Y=test: what a screen reader says about each part, before and after
 * a stroke. */
static void
test_accessible (void)
{
  DigitsWindow *window;
  DigitsCanvas *canvas;
  GtkAccessible *chart, *preview;
  char *failed;

  if (g_strcmp0 (g_getenv ("GTK_A11Y"), "test") != 0)
    {
      g_test_skip ("Needs GTK_A11Y=test");
      return;
    }

  window = digits_test_create_window (app);
  canvas = digits_window_get_canvas (window);
  chart = GTK_ACCESSIBLE (digits_window_get_chart (window));
  preview = GTK_ACCESSIBLE (digits_window_get_preview (window));

  g_assert_true (gtk_test_accessible_has_role (preview, GTK_ACCESSIBLE_ROLE_IMG));
  failed = gtk_test_accessible_check_property (preview, GTK_ACCESSIBLE_PROPERTY_LABEL,
                                               "What the network sees");
  g_assert_null (failed);
  failed = gtk_test_accessible_check_property (preview, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                               "Empty");
  g_assert_null (failed);
  failed = gtk_test_accessible_check_property (chart, GTK_ACCESSIBLE_PROPERTY_LABEL,
                                               "Probability of each digit");
  g_assert_null (failed);

  if (!has_model (window))
    {
      gtk_window_destroy (GTK_WINDOW (window));
      return;
    }

  digits_test_add_line (canvas, 0.5f, 0.15f, 0.5f, 0.85f);
  g_assert_cmpint (digits_window_get_prediction (window, NULL), ==, 1);

  /* The preview now shows the drawing; the chart starts with the answer. */
  failed = gtk_test_accessible_check_property (preview, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                               "Empty");
  g_assert_nonnull (failed);
  g_free (failed);
  g_assert_true (gtk_test_accessible_has_property (chart,
                                                   GTK_ACCESSIBLE_PROPERTY_DESCRIPTION));

  /* Clearing takes the answer away again. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.clear", NULL);
  failed = gtk_test_accessible_check_property (preview, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                               "Empty");
  g_assert_null (failed);
  failed = gtk_test_accessible_check_property (chart, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                               "No answer yet");
  g_assert_null (failed);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* About is filled from the metainfo: what the software centre shows, release notes too. */
static void
test_about (void)
{
  DigitsWindow *window = digits_test_create_window (app);
  GListModel *toplevels = gtk_window_get_toplevels ();
  AdwAboutWindow *about = NULL;

  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  digits_test_wait_frames ();
  for (guint i = 0; i < g_list_model_get_n_items (toplevels) && about == NULL; i++)
    {
      g_autoptr (GtkWindow) toplevel = g_list_model_get_item (toplevels, i);

      if (ADW_IS_ABOUT_WINDOW (toplevel))
        about = ADW_ABOUT_WINDOW (toplevel);
    }
  g_assert_nonnull (about);

  g_assert_cmpstr (adw_about_window_get_application_name (about), ==, "Digits");
  g_assert_cmpstr (adw_about_window_get_comments (about), ==,
                   "Draw a digit and watch a neural network read it");
  g_assert_cmpstr (adw_about_window_get_developer_name (about), ==, "The Digits authors");
  g_assert_cmpint (adw_about_window_get_license_type (about), ==, GTK_LICENSE_GPL_3_0);
  g_assert_cmpstr (adw_about_window_get_website (about), ==,
                   "https://github.com/neuraldigits/digits");
  g_assert_cmpstr (adw_about_window_get_issue_url (about), ==,
                   "https://github.com/neuraldigits/digits/issues");
  g_assert_cmpstr (adw_about_window_get_release_notes_version (about), ==, PACKAGE_VERSION);
  g_assert_cmpstr (adw_about_window_get_release_notes (about), ==,
                   "<p>The first release.</p>");

  gtk_window_destroy (GTK_WINDOW (about));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* ---- adaptive: every control whole and reachable, narrow and wide ---- */

static gboolean
is_control (GtkWidget *widget)
{
  return GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget) || GTK_IS_SWITCH (widget) ||
         GTK_IS_SPIN_BUTTON (widget) || GTK_IS_TEXT (widget) || ADW_IS_COMBO_ROW (widget) ||
         ADW_IS_EXPANDER_ROW (widget) || DIGITS_IS_CANVAS (widget) ||
         g_type_is_a (G_OBJECT_TYPE (widget), g_type_from_name ("DigitsChart"));
}

static void
collect_controls (GtkWidget *widget,
                  GPtrArray *controls)
{
  /* The window manager's buttons have keys of their own (Super+Up, Ctrl+W). */
  if (!gtk_widget_get_mapped (widget) || !gtk_widget_get_child_visible (widget) ||
      GTK_IS_WINDOW_CONTROLS (widget))
    return;

  /* A button inside a row or a spin button is reached through it. */
  if (is_control (widget) && gtk_widget_is_sensitive (widget))
    {
      g_ptr_array_add (controls, widget);
      if (!ADW_IS_EXPANDER_ROW (widget))
        return;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_controls (child, controls);
}

/* Inside the window: across always; down too unless a scrolled window holds it (then
 * scrolling reaches it, and Tab scrolls to it). FALSE, with its bounds in *b, when not. */
static gboolean
control_inside (DigitsWindow    *window,
                GtkWidget       *control,
                graphene_rect_t *b)
{
  int width = gtk_widget_get_width (GTK_WIDGET (window));
  int height = gtk_widget_get_height (GTK_WIDGET (window));
  gboolean scrolled = gtk_widget_get_ancestor (control, GTK_TYPE_SCROLLED_WINDOW) != NULL;

  if (!gtk_widget_compute_bounds (control, GTK_WIDGET (window), b))
    return FALSE;
  return !(b->origin.x < -0.5 || b->origin.x + b->size.width > width + 0.5 ||
           (!scrolled && (b->origin.y < -0.5 || b->origin.y + b->size.height > height + 0.5)));
}

static void
assert_inside (DigitsWindow *window,
               GtkWidget    *control,
               const char   *where)
{
  graphene_rect_t b;

  g_assert_true (gtk_widget_compute_bounds (control, GTK_WIDGET (window), &b));
  if (!control_inside (window, control, &b))
    g_error ("%s: %s at %.0f,%.0f %.0f×%.0f is outside the %d×%d window", where,
             G_OBJECT_TYPE_NAME (control), b.origin.x, b.origin.y, b.size.width,
             b.size.height, gtk_widget_get_width (GTK_WIDGET (window)),
             gtk_widget_get_height (GTK_WIDGET (window)));
}

/* Tab twice round the window: every control gets the focus, or something in it does. */
static void
assert_reachable (DigitsWindow *window,
                  GPtrArray    *controls,
                  const char   *where)
{
  g_autoptr (GHashTable) reached = g_hash_table_new (NULL, NULL);

  gtk_window_set_focus (GTK_WINDOW (window), NULL);
  for (int i = 0; i < 400; i++)
    {
      GtkWidget *focus = press_tab (window);

      for (GtkWidget *w = focus; w != NULL; w = gtk_widget_get_parent (w))
        g_hash_table_add (reached, w);
    }

  for (guint i = 0; i < controls->len; i++)
    {
      GtkWidget *control = g_ptr_array_index (controls, i);

      if (!g_hash_table_contains (reached, control))
        g_error ("%s: Tab never reaches %s in %s in %s", where, G_OBJECT_TYPE_NAME (control),
                 G_OBJECT_TYPE_NAME (gtk_widget_get_parent (control)),
                 G_OBJECT_TYPE_NAME (gtk_widget_get_parent (gtk_widget_get_parent (control))));
    }
}

/* Every control of the page inside the window: the narrow window's switcher bar slides in,
 * and under load a first look can catch it half way. */
static gboolean
all_inside (gpointer data)
{
  DigitsWindow *window = data;
  g_autoptr (GPtrArray) controls = g_ptr_array_new ();

  collect_controls (GTK_WIDGET (window), controls);
  for (guint i = 0; i < controls->len; i++)
    {
      graphene_rect_t b;

      if (!control_inside (window, g_ptr_array_index (controls, i), &b))
        return FALSE;
    }
  return TRUE;
}

static void
check_page (DigitsWindow *window,
            const char   *page,
            int           width,
            int           height)
{
  g_autoptr (GPtrArray) controls = g_ptr_array_new ();
  g_autofree char *where = g_strdup_printf ("%s page at %d×%d", page, width, height);

  digits_window_show_page (window, page);
  digits_test_wait_frames ();
  /* A control still outside after this wait fails below, naming it. */
  digits_test_wait_until (all_inside, window, 5);
  /* No page makes the window wider than asked. */
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, width);
  collect_controls (GTK_WIDGET (window), controls);
  g_test_message ("%s: %u controls", where, controls->len);
  g_assert_cmpuint (controls->len, >, 3);

  for (guint i = 0; i < controls->len; i++)
    assert_inside (window, g_ptr_array_index (controls, i), where);
  assert_reachable (window, controls, where);
}

/* The size asked for, less the client-side decoration's frame (a few pixels under X). */
static gboolean
has_size (gpointer data)
{
  GtkWidget *window = ((gpointer *) data)[0];
  int width = GPOINTER_TO_INT (((gpointer *) data)[1]);
  int height = GPOINTER_TO_INT (((gpointer *) data)[2]);

  return gtk_widget_get_width (window) <= width && gtk_widget_get_width (window) > width - 24 &&
         gtk_widget_get_height (window) <= height &&
         gtk_widget_get_height (window) > height - 24;
}

/* From a phone (360×640) to a laptop (1080×720): nothing clipped or out of reach. In a
 * language other than English (lang, which LANGUAGE must name) too: German and French
 * labels run longer, and a button that cannot wrap widens the whole window. */
static void
check_adaptive (const char *lang)
{
  static const int sizes[][2] = { { 360, 640 }, { 1080, 720 } };
  DigitsWindow *window;

  if (lang != NULL)
    {
      if (g_strcmp0 (g_getenv ("LANGUAGE"), lang) != 0)
        {
          g_test_skip_printf ("Needs LANGUAGE=%s", lang);
          return;
        }
      /* Translated, or the check below would measure English. */
      g_assert_cmpstr (_("_Train"), !=, "_Train");
    }
  window = digits_test_create_window (app);

  digits_test_add_line (digits_window_get_canvas (window), 0.5f, 0.15f, 0.5f, 0.85f);

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      gpointer data[3] = { window, GINT_TO_POINTER (sizes[i][0]),
                           GINT_TO_POINTER (sizes[i][1]) };

      gtk_window_set_default_size (GTK_WINDOW (window), sizes[i][0], sizes[i][1]);
      if (!digits_test_wait_until (has_size, data, 10))
        g_error ("The window is %d×%d, not %d×%d", gtk_widget_get_width (GTK_WIDGET (window)),
                 gtk_widget_get_height (GTK_WIDGET (window)), sizes[i][0], sizes[i][1]);
      check_page (window, "draw", sizes[i][0], sizes[i][1]);
      check_page (window, "train", sizes[i][0], sizes[i][1]);
    }

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_adaptive (void)
{
  check_adaptive (NULL);
}

static void
test_adaptive_de (void)
{
  check_adaptive ("de");
}

static void
test_adaptive_fr (void)
{
  check_adaptive ("fr");
}

/* The window fits a 1366×768 laptop with a top bar, and grows to a large screen. */
static void
test_sizes (void)
{
  DigitsWindow *window = digits_test_create_window (app);
  int min_width, min_height;

  gtk_widget_measure (GTK_WIDGET (window), GTK_ORIENTATION_HORIZONTAL, -1,
                      &min_width, NULL, NULL, NULL);
  gtk_widget_measure (GTK_WIDGET (window), GTK_ORIENTATION_VERTICAL, min_width,
                      &min_height, NULL, NULL, NULL);
  g_test_message ("Minimum size %d × %d", min_width, min_height);
  g_assert_cmpint (min_width, <=, 360);
  g_assert_cmpint (min_height, <=, 600);

  /* The default size fits the laptop too. */
  {
    int width, height;

    gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
    g_assert_cmpint (width, <=, 1366);
    g_assert_cmpint (height, <=, 768 - 32);
  }

  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
prefers_dark (void)
{
  return adw_style_manager_get_dark (adw_style_manager_get_default ());
}

/* GNOME's own setting, when there is no settings portal (as here, without D-Bus). */
static void
test_gnome_style (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) schema = NULL;
  g_autoptr (GSettings) settings = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, "org.gnome.desktop.interface", TRUE);
  if (schema == NULL || !g_settings_schema_has_key (schema, "color-scheme"))
    {
      g_test_skip ("No org.gnome.desktop.interface color-scheme (gsettings-desktop-schemas)");
      return;
    }

  settings = g_settings_new_full (schema, NULL, NULL);
  g_assert_false (prefers_dark ());
  g_settings_set_string (settings, "color-scheme", "prefer-dark");
  digits_test_iterate ();
  g_assert_true (prefers_dark ());
  g_settings_set_string (settings, "color-scheme", "prefer-light");
  digits_test_iterate ();
  g_assert_false (prefers_dark ());
  g_settings_reset (settings, "color-scheme");
  digits_test_iterate ();
}

/* ---- a settings portal of our own, on the private bus of dbus-run-session ---- */

static guint32 portal_color_scheme = 1;   /* prefer dark */

static void
portal_method_call_cb (GDBusConnection       *connection,
                       const char            *sender,
                       const char            *object_path,
                       const char            *interface_name,
                       const char            *method_name,
                       GVariant              *parameters,
                       GDBusMethodInvocation *invocation,
                       gpointer               user_data)
{
  const char *namespace, *key;
  GVariant *value;

  if (g_strcmp0 (method_name, "Read") != 0)
    {
      g_dbus_method_invocation_return_dbus_error (invocation,
                                                  "org.freedesktop.DBus.Error.UnknownMethod",
                                                  method_name);
      return;
    }

  g_variant_get (parameters, "(&s&s)", &namespace, &key);
  if (g_strcmp0 (namespace, "org.freedesktop.appearance") != 0 ||
      g_strcmp0 (key, "color-scheme") != 0)
    {
      g_dbus_method_invocation_return_dbus_error (invocation,
                                                  "org.freedesktop.portal.Error.NotFound",
                                                  "Requested setting not found");
      return;
    }

  /* Read answers with the value in one variant more, as portals always did. */
  value = g_variant_new_variant (g_variant_new_uint32 (portal_color_scheme));
  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(v)", value));
}

static const char portal_xml[] =
  "<node>"
  "  <interface name='org.freedesktop.portal.Settings'>"
  "    <method name='Read'>"
  "      <arg type='s' name='namespace' direction='in'/>"
  "      <arg type='s' name='key' direction='in'/>"
  "      <arg type='v' name='value' direction='out'/>"
  "    </method>"
  "    <signal name='SettingChanged'>"
  "      <arg type='s' name='namespace'/>"
  "      <arg type='s' name='key'/>"
  "      <arg type='v' name='value'/>"
  "    </signal>"
  "  </interface>"
  "</node>";

/* Held for the whole run: the last reference going would close the connection, and
 * the portal's name with it. */
static GDBusConnection *portal_bus;
static GMainContext *portal_context;

/* The portal answers on a thread and a connection of its own: libadwaita reads the
 * portal with blocking calls from the main thread, which a portal served by the main
 * loop could never answer. */
static gpointer
portal_thread (gpointer data)
{
  static const GDBusInterfaceVTable vtable = { portal_method_call_cb, NULL, NULL, { 0 } };
  g_autoptr (GMainLoop) loop = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GDBusNodeInfo) info = NULL;
  g_autoptr (GVariant) reply = NULL;
  g_autofree char *address = NULL;
  GAsyncQueue *ready = data;
  guint32 result;

  g_main_context_push_thread_default (portal_context);
  loop = g_main_loop_new (portal_context, FALSE);

  address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  portal_bus = g_dbus_connection_new_for_address_sync (
    address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
             G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION, NULL, NULL, &error);
  g_assert_no_error (error);
  info = g_dbus_node_info_new_for_xml (portal_xml, &error);
  g_assert_no_error (error);
  g_dbus_connection_register_object (portal_bus, "/org/freedesktop/portal/desktop",
                                     info->interfaces[0], &vtable, NULL, NULL, &error);
  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (portal_bus, "org.freedesktop.DBus",
                                       "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                       "RequestName",
                                       g_variant_new ("(su)", "org.freedesktop.portal.Desktop",
                                                      0x4 /* DO_NOT_QUEUE */),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                       NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(u)", &result);
  g_assert_cmpuint (result, ==, 1 /* PRIMARY_OWNER */);

  g_async_queue_push (ready, GINT_TO_POINTER (1));
  g_async_queue_unref (ready);
  g_main_loop_run (loop);

  return NULL;
}

static void
start_fake_portal (void)
{
  g_autoptr (GAsyncQueue) ready = g_async_queue_new ();

  portal_context = g_main_context_new ();
  g_thread_unref (g_thread_new ("fake-portal", portal_thread, g_async_queue_ref (ready)));
  g_async_queue_pop (ready);
}

static void
emit_portal_change (guint32 color_scheme)
{
  g_autoptr (GError) error = NULL;
  GDBusConnection *bus = portal_bus;

  portal_color_scheme = color_scheme;
  g_dbus_connection_emit_signal (bus, NULL, "/org/freedesktop/portal/desktop",
                                 "org.freedesktop.portal.Settings", "SettingChanged",
                                 g_variant_new ("(ssv)", "org.freedesktop.appearance",
                                                "color-scheme",
                                                g_variant_new_uint32 (color_scheme)),
                                 &error);
  g_assert_no_error (error);
  g_dbus_connection_flush_sync (bus, NULL, NULL);
}

static gboolean
is_dark (gpointer data)
{
  return prefers_dark ();
}

static gboolean
is_light (gpointer data)
{
  return !prefers_dark ();
}

/* Run with DIGITS_TEST_FAKE_PORTAL=1 under dbus-run-session: the portal's preference is
 * read at start and followed when it changes. */
static void
test_portal_style (void)
{
  if (g_getenv ("DIGITS_TEST_FAKE_PORTAL") == NULL)
    {
      g_test_skip ("Needs DIGITS_TEST_FAKE_PORTAL=1 and a private session bus");
      return;
    }

  /* main () started the portal, preferring dark, before the application started. */
  g_assert_true (digits_test_wait_until (is_dark, NULL, 10));

  emit_portal_change (2 /* prefer light */);
  g_assert_true (digits_test_wait_until (is_light, NULL, 10));
  emit_portal_change (1 /* prefer dark */);
  g_assert_true (digits_test_wait_until (is_dark, NULL, 10));
  emit_portal_change (0 /* no preference */);
  g_assert_true (digits_test_wait_until (is_light, NULL, 10));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GError) error = NULL;
  const char *localedir = g_getenv ("DIGITS_LOCALEDIR");
  int status;

  if (!digits_test_has_display ())
    return 77;

  /* As main.c does, with the translations of the build folder. */
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  gtk_test_init (&argc, &argv, NULL);

  /* The portal comes up after GTK has opened the display, as on a desktop. */
  if (g_getenv ("DIGITS_TEST_FAKE_PORTAL") != NULL)
    start_fake_portal ();

  app = digits_application_new (G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/desktop/translated", test_translated);
  g_test_add_func ("/desktop/shortcuts-listed", test_shortcuts_listed);
  g_test_add_func ("/desktop/actions-reachable", test_actions_reachable);
  g_test_add_func ("/desktop/train-page-keys", test_train_page_keys);
  g_test_add_func ("/desktop/focus-order", test_focus_order);
  g_test_add_func ("/desktop/accessible", test_accessible);
  g_test_add_func ("/desktop/sizes", test_sizes);
  g_test_add_func ("/desktop/adaptive", test_adaptive);
  g_test_add_func ("/desktop/adaptive-de", test_adaptive_de);
  g_test_add_func ("/desktop/adaptive-fr", test_adaptive_fr);
  g_test_add_func ("/desktop/about", test_about);
  g_test_add_func ("/desktop/gnome-style", test_gnome_style);
  g_test_add_func ("/desktop/portal-style", test_portal_style);

  status = g_test_run ();

  g_clear_object (&app);
  g_clear_object (&portal_bus);

  return status;
}

/* digits-train-view-settings.c — the Train page's settings rows, kept in GSettings.
 *
 * Copyright 2024 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "digits-train-view-private.h"

static const guint subset_sizes[] = { 0, 10000, 2000 };

static const NnOptKind optimizer_kinds[] = { NN_OPT_ADAM, NN_OPT_MOMENTUM, NN_OPT_SGD };

guint
digits_train_view_get_subset (DigitsTrainView *self)
{
  guint selected = adw_combo_row_get_selected (self->subset_row);

  if (self->subset_override > 0)
    return self->subset_override;

  return selected < G_N_ELEMENTS (subset_sizes) ? subset_sizes[selected] : 0;
}

static NnOptKind
get_optimizer (DigitsTrainView *self)
{
  guint selected = adw_combo_row_get_selected (self->optimizer_row);

  return selected < G_N_ELEMENTS (optimizer_kinds) ? optimizer_kinds[selected] : NN_OPT_ADAM;
}

static void
select_optimizer (DigitsTrainView *self,
                  NnOptKind        kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (optimizer_kinds); i++)
    if (optimizer_kinds[i] == kind)
      adw_combo_row_set_selected (self->optimizer_row, i);
}

static void
show_config (DigitsTrainView         *self,
             const DigitsTrainConfig *config)
{
  /* A custom network starts from the default one. */
  gtk_editable_set_text (GTK_EDITABLE (self->hidden_row), DIGITS_TRAIN_NET_APP);
  gtk_spin_button_set_value (self->epochs_spin, config->epochs);
  gtk_spin_button_set_value (self->batch_spin, config->batch);
  select_optimizer (self, config->opt.kind);
  gtk_spin_button_set_value (self->rate_spin, config->opt.lr);
  gtk_switch_set_active (self->augment_switch, config->augment);
}

void
digits_train_view_save_settings (DigitsTrainView *self)
{
  if (self->settings == NULL || self->loading_settings)
    return;

  g_settings_delay (self->settings);
  g_settings_set_string (self->settings, "train-dataset",
                         digits_train_dataset_ids[digits_train_view_get_dataset_kind (self)]);
  g_settings_set_string (self->settings, "train-folder", self->folder != NULL ? self->folder : "");
  g_settings_set_uint (self->settings, "train-subset",
                       subset_sizes[MIN (adw_combo_row_get_selected (self->subset_row),
                                         G_N_ELEMENTS (subset_sizes) - 1)]);
  g_settings_set_string (self->settings, "train-network",
                         digits_train_view_get_network_id (self));
  g_settings_set_string (self->settings, "train-hidden",
                         gtk_editable_get_text (GTK_EDITABLE (self->hidden_row)));
  g_settings_set_uint (self->settings, "train-epochs",
                       (guint) gtk_spin_button_get_value_as_int (self->epochs_spin));
  g_settings_set_uint (self->settings, "train-batch",
                       (guint) gtk_spin_button_get_value_as_int (self->batch_spin));
  g_settings_set_string (self->settings, "train-optimizer",
                         nn_opt_kind_to_string (get_optimizer (self)));
  g_settings_set_double (self->settings, "train-learning-rate",
                         gtk_spin_button_get_value (self->rate_spin));
  g_settings_set_boolean (self->settings, "train-augment",
                          gtk_switch_get_active (self->augment_switch));
  g_settings_apply (self->settings);
}

static void
load_settings (DigitsTrainView *self)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) schema = NULL;
  g_autofree char *dataset = NULL;
  g_autofree char *optimizer = NULL;
  g_autofree char *hidden = NULL;
  g_autofree char *network = NULL;
  DigitsTrainConfig config;
  NnOptKind kind;
  guint subset;

  digits_train_config_defaults (&config);
  self->loading_settings = TRUE;
  show_config (self, &config);

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL || !g_settings_schema_has_key (schema, "train-epochs"))
    {
      self->loading_settings = FALSE;
      return;
    }

  self->settings = g_settings_new_full (schema, NULL, NULL);

  dataset = g_settings_get_string (self->settings, "train-dataset");
  g_free (self->folder);
  self->folder = g_settings_get_string (self->settings, "train-folder");
  if (*self->folder == '\0')
    g_clear_pointer (&self->folder, g_free);
  for (guint i = 0; i <= DATASET_FOLDER; i++)
    if (g_strcmp0 (dataset, digits_train_dataset_ids[i]) == 0)
      digits_train_view_select_dataset_kind (self, (DatasetKind) i);

  subset = g_settings_get_uint (self->settings, "train-subset");
  for (guint i = 0; i < G_N_ELEMENTS (subset_sizes); i++)
    if (subset_sizes[i] == subset)
      adw_combo_row_set_selected (self->subset_row, i);

  network = g_settings_get_string (self->settings, "train-network");
  digits_train_view_select_network_id (self, network);
  hidden = g_settings_get_string (self->settings, "train-hidden");
  gtk_editable_set_text (GTK_EDITABLE (self->hidden_row), hidden);
  gtk_spin_button_set_value (self->epochs_spin, g_settings_get_uint (self->settings,
                                                                     "train-epochs"));
  gtk_spin_button_set_value (self->batch_spin, g_settings_get_uint (self->settings,
                                                                    "train-batch"));
  optimizer = g_settings_get_string (self->settings, "train-optimizer");
  if (nn_opt_kind_from_string (optimizer, &kind) == 0)
    select_optimizer (self, kind);
  gtk_spin_button_set_value (self->rate_spin, g_settings_get_double (self->settings,
                                                                     "train-learning-rate"));
  gtk_switch_set_active (self->augment_switch,
                         g_settings_get_boolean (self->settings, "train-augment"));

  self->loading_settings = FALSE;
}

/* Any setting, the network and its layer list too: the network's description and the time
 * an epoch takes follow it, and it is kept for next time. */
static void
setting_changed_cb (DigitsTrainView *self)
{
  digits_train_view_update_network (self);
  digits_train_view_save_settings (self);
}

/* Narrow: the settings go under the training, the network's folded away, and the page
 * scrolls as a whole. */
static void
columns_folded_cb (DigitsFoldBox   *columns,
                   GParamSpec      *pspec,
                   DigitsTrainView *self)
{
  gboolean folded = digits_fold_box_get_folded (columns);
  GtkWidget *settings = GTK_WIDGET (self->settings_scroller);
  GtkWidget *training = GTK_WIDGET (self->right_stack);

  /* Training first when narrow: Train and its progress need no scrolling. */
  if (folded)
    gtk_widget_insert_before (training, GTK_WIDGET (columns), settings);
  else
    gtk_widget_insert_before (settings, GTK_WIDGET (columns), training);

  adw_expander_row_set_expanded (self->network_expander, !folded);
  /* The page scrolls then, and the curves would get only their minimum. */
  gtk_widget_set_size_request (GTK_WIDGET (self->curve_chart), -1, folded ? 300 : -1);
  gtk_scrolled_window_set_policy (self->settings_scroller, GTK_POLICY_NEVER,
                                  folded ? GTK_POLICY_NEVER : GTK_POLICY_AUTOMATIC);
}

static void
optimizer_changed_cb (DigitsTrainView *self)
{
  NnOptConfig opt;
  DigitsTrainConfig defaults;

  if (self->loading_settings)
    return;

  /* Each optimizer has its own good learning rate: start from it. */
  digits_train_config_defaults (&defaults);
  nn_opt_config_defaults (&opt, get_optimizer (self));
  if (opt.kind == defaults.opt.kind)
    opt = defaults.opt;
  gtk_spin_button_set_value (self->rate_spin, opt.lr);
  digits_train_view_save_settings (self);
}

static void
defaults_clicked_cb (DigitsTrainView *self)
{
  DigitsTrainConfig config;

  digits_train_config_defaults (&config);
  self->loading_settings = TRUE;
  show_config (self, &config);
  adw_combo_row_set_selected (self->subset_row, 0);
  adw_combo_row_set_selected (self->network_row, 0);
  self->loading_settings = FALSE;
  digits_train_view_save_settings (self);
}

gboolean
digits_train_view_build_config (DigitsTrainView    *self,
                                DigitsTrainConfig  *config,
                                GError            **error)
{
  DigitsTrainConfig defaults;
  NnOptKind kind = get_optimizer (self);

  DigitsNetInfo net;

  digits_train_config_defaults (&defaults);
  *config = defaults;

  if (!digits_train_view_get_net (self, &net, error))
    return FALSE;
  g_strlcpy (config->net, net.spec, sizeof config->net);
  /* An empty spec is a network without hidden layers, not the trainer's default. */
  config->n_hidden = 0;

  config->epochs = (guint) gtk_spin_button_get_value_as_int (self->epochs_spin);
  config->batch = (guint) gtk_spin_button_get_value_as_int (self->batch_spin);
  if (kind != defaults.opt.kind)
    nn_opt_config_defaults (&config->opt, kind);
  config->opt.lr = (float) gtk_spin_button_get_value (self->rate_spin);
  config->augment = gtk_switch_get_active (self->augment_switch);
  config->labels = digits_train_view_get_dataset_kind (self) == DATASET_FASHION
                   ? DIGITS_LABELS_FASHION
                   : DIGITS_LABELS_DIGITS;

  return TRUE;
}

void
digits_train_view_class_add_settings (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, setting_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, columns_folded_cb);
  gtk_widget_class_bind_template_callback (widget_class, optimizer_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, defaults_clicked_cb);
}

void
digits_train_view_init_settings (DigitsTrainView *self)
{
  const char *subsets[] = {
    _("All (60,000)"), _("Quick: 10,000"), _("Tiny: 2,000"), NULL
  };
  const char *optimizers[] = { _("Adam"), _("Momentum"), _("SGD"), NULL };
  g_autoptr (GtkStringList) subset_model = gtk_string_list_new (subsets);
  g_autoptr (GtkStringList) optimizer_model = gtk_string_list_new (optimizers);

  self->loading_settings = TRUE;
  adw_combo_row_set_model (self->subset_row, G_LIST_MODEL (subset_model));
  digits_train_view_init_network (self);
  adw_combo_row_set_model (self->optimizer_row, G_LIST_MODEL (optimizer_model));
  self->loading_settings = FALSE;

  load_settings (self);
  digits_train_view_update_network (self);
}

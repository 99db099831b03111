/* digits-my-digits-private.h — what the parts of the examples store share; not installed.
 *
 *   digits-my-digits.c         the folder scanned and listed; entries judged;
 *   digits-my-digits-write.c   examples added, deleted, restored, relabelled;
 *   digits-my-digits-import.c  examples read as pixels or a data set; import, export.
 */
#pragma once

#include "digits-my-digits.h"

G_BEGIN_DECLS

struct _DigitsMyDigits
{
  char *dir;
  GPtrArray *names[DIGITS_MY_DIGITS_CLASSES];   /* char *, in number order */
  guint next[DIGITS_MY_DIGITS_CLASSES];         /* above every number taken */
  GPtrArray *skipped;                           /* char * messages */
};

extern const guint8 digits_my_digits_png_signature[8];

/* "0007.png" → 7: four to eight ASCII digits, then ".png". */
gboolean    digits_my_digits_parse_name    (const char *name, guint *number);

/* Orders a GPtrArray of example names by their numbers. */
gint        digits_my_digits_compare_names (gconstpointer a, gconstpointer b);

/* Why a folder entry cannot be an example, or NULL when it can (*size then set); a
 * message made for the occasion is returned in *owned too, for the caller to free. */
const char *digits_my_digits_entry_fault   (const char *path, guint64 *size, char **owned);

/* Writes bytes as a new example of label (named wanted when that is free); returns its
 * name, or NULL with @error set. */
char       *digits_my_digits_write_new     (DigitsMyDigits *self, guint label,
                                            const guint8 *data, gsize len,
                                            const char *wanted, GError **error);

G_END_DECLS

/* tsan-glib.c — tells ThreadSanitizer about GLib's mutexes, for TSan builds only.
 *
 * GLib on Linux implements GMutex with atomics and futex syscalls in a library that
 * ThreadSanitizer did not instrument, so it sees no ordering between a g_mutex_unlock in
 * one thread and the g_mutex_lock that follows in another, and reports every access the
 * mutex guards as a race. These wrappers, linked into the test programs, take the place
 * of GLib's entry points for Digits' own code, call GLib's, and state the acquire and
 * release that the mutex really performs. (Threads themselves are pthreads, which
 * ThreadSanitizer already knows.)
 */
#include "config.h"

#include <dlfcn.h>
#include <stdlib.h>

#include <glib.h>

void __tsan_acquire (void *addr);
void __tsan_release (void *addr);

typedef void (*LockFunc) (GMutex *mutex);
typedef gboolean (*TryLockFunc) (GMutex *mutex);

/* Looked up on first use: GLib and the resource bundle lock mutexes in constructors. */
static gpointer
find_glib (gpointer *slot, const char *name)
{
  gpointer func = g_atomic_pointer_get (slot);

  if (func == NULL)
    {
      func = dlsym (RTLD_NEXT, name);
      if (func == NULL)
        abort ();
      g_atomic_pointer_set (slot, func);
    }
  return func;
}

static gpointer real_lock, real_unlock, real_trylock;

void
g_mutex_lock (GMutex *mutex)
{
  ((LockFunc) find_glib (&real_lock, "g_mutex_lock")) (mutex);
  __tsan_acquire (mutex);
}

void
g_mutex_unlock (GMutex *mutex)
{
  __tsan_release (mutex);
  ((LockFunc) find_glib (&real_unlock, "g_mutex_unlock")) (mutex);
}

gboolean
g_mutex_trylock (GMutex *mutex)
{
  if (!((TryLockFunc) find_glib (&real_trylock, "g_mutex_trylock")) (mutex))
    return FALSE;
  __tsan_acquire (mutex);
  return TRUE;
}

/* Preloaded into every process of the sanitize test setup, so that what
 * LeakSanitizer reports can be read and suppressed by library frames.
 *
 * dlclose() does nothing: every shared object stays mapped until the
 * process ends. Mesa tears its EGL displays down from an atexit handler
 * that runs before LeakSanitizer's check and dlclose()s the DRI driver;
 * what the driver's globals still pointed at then looked leaked (Mesa 22's
 * swrast_dri.so: ~130 blocks in every render test program), with frames
 * that can't be named ("<unknown module>"), so no suppression could match
 * them without matching everything. Kept mapped, the driver's globals stay
 * roots: nothing reported, nothing to suppress.
 *
 * __register_frame()/__deregister_frame() do nothing: LLVM (llvmpipe's JIT)
 * registers the unwind tables of the code it generates with libgcc, and
 * libgcc then sorts them, calling malloc() with its unwinder lock held. With
 * whole allocation stacks (ASAN_OPTIONS=fast_unwind_on_malloc=0, the ui
 * suites) that malloc() unwinds again and waits for that lock forever. Only
 * exceptions thrown through JIT-generated code need the tables, and
 * llvmpipe throws none.
 *
 * Built without sanitizers (tests/sanitize/meson.build): it also lands in
 * the non-ASan processes of the ui tests (bash, Xvfb, weston, ImageMagick),
 * where neither change alters what they do. */
int dlclose (void *handle);
void __register_frame (void *begin);
void __deregister_frame (void *begin);

int
dlclose (void *handle)
{
  (void) handle;
  return 0;
}

void
__register_frame (void *begin)
{
  (void) begin;
}

void
__deregister_frame (void *begin)
{
  (void) begin;
}

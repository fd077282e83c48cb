#!/bin/sh
# Trunk's post-build hook: the photo worker again, built with wasm SIMD (simd128), beside the
# plain one. Trunk builds every asset with the same RUSTFLAGS, so this twin is built here, in
# its own target folder (so neither build invalidates the other), with the same wasm-bindgen
# and wasm-opt that Trunk runs. The page picks it at run time where WebAssembly.validate says
# SIMD is there (Chrome/Android WebView 91+, Safari/iOS 16.4+), and the plain one elsewhere.
set -eu
: "${TRUNK_STAGING_DIR:?run by trunk as a post_build hook}"
# Only the driver's entry (driver/index.html) takes photos.
case "${TRUNK_HTML_FILE:-}" in */driver/index.html) ;; *) exit 0 ;; esac
profile=debug
flag=
if [ "${TRUNK_PROFILE:-debug}" = release ]; then
  profile=release
  flag=--release
fi
RUSTFLAGS="-C target-feature=+simd128" cargo build $flag -p taxicert-photo-worker --bin photo_worker \
  --target wasm32-unknown-unknown --target-dir target/simd
wasm-bindgen --target no-modules --no-typescript --out-dir "$TRUNK_STAGING_DIR" --out-name photo_worker_simd \
  "target/simd/wasm32-unknown-unknown/$profile/photo_worker.wasm"
if [ "$profile" = release ]; then
  wasm-opt -O3 --enable-simd --enable-bulk-memory --enable-sign-ext --enable-nontrapping-float-to-int \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$TRUNK_STAGING_DIR/photo_worker_simd_bg.wasm" -o "$TRUNK_STAGING_DIR/photo_worker_simd_bg.wasm"
fi
# The same loader shim Trunk writes for the plain worker (a classic worker, importScripts).
printf 'importScripts("./photo_worker_simd.js");wasm_bindgen("./photo_worker_simd_bg.wasm");' \
  > "$TRUNK_STAGING_DIR/photo_worker_simd_loader.js"
# Trunk may run the post-build hooks side by side: compress these files here, after they
# exist, and only these (the entry page is another hook's to change and compress).
node scripts/precompress.mjs "$TRUNK_STAGING_DIR"/photo_worker_simd*

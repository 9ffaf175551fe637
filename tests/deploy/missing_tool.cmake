# Run by ctest in place of validate_manifests.mjs when node was not found at
# configure time: fails with the reason instead of skipping.
message(FATAL_ERROR "${NQ57_MISSING}")

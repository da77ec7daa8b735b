// Compiled only to produce the precompiled header every test executable reuses.

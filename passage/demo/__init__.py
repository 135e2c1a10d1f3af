"""The demo installation: staff, example cases and notification routes for `passage up`."""

"""Fixture folders that rebuild only when the scripts that make them change."""
import hashlib
import os
import shutil


def start_fixture_dir(out, scripts):
    """None when OUT/.complete matches the scripts' hash (up to date); else empties OUT and returns the stamp
    to pass to finish_fixture_dir once everything is written."""
    digest = hashlib.sha256()
    for script in scripts:
        with open(script, "rb") as f:
            digest.update(f.read())
    stamp = digest.hexdigest()
    marker = os.path.join(out, ".complete")
    if os.path.exists(marker) and open(marker).read() == stamp:
        print("fixtures up to date:", out)
        return None
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    return stamp


def finish_fixture_dir(out, stamp):
    with open(os.path.join(out, ".complete"), "w") as f:
        f.write(stamp)

#!/bin/sh
# Nightly backup of the fellowship bot's database (run by fellowship-backup.service).
#
# Writes $BACKUP_DIR/fellowship-YYYYMMDD.dump with `fellowship backup` (safe while the bot
# runs; the file is 0600 and appears only when complete), then deletes backups older than
# $KEEP_DAYS days and any .partial left by an interrupted run. Copy the folder off the machine
# too (see README: Backups). Settings (DATABASE_URL) come from .env in the working directory.
set -eu

BACKUP_DIR="${BACKUP_DIR:-/var/backups/fellowship}"
KEEP_DAYS="${KEEP_DAYS:-14}"
FELLOWSHIP="${FELLOWSHIP:-/opt/fellowship/.venv/bin/fellowship}"

umask 077
if [ ! -d "$BACKUP_DIR" ]; then
    echo "fellowship-backup: $BACKUP_DIR does not exist; create it with: install -d -m 700 $BACKUP_DIR" >&2
    exit 1
fi

"$FELLOWSHIP" backup "$BACKUP_DIR/fellowship-$(date -u +%Y%m%d).dump"

# Keep the newest $KEEP_DAYS nightly backups: delete those last changed $KEEP_DAYS or more days ago.
find "$BACKUP_DIR" -maxdepth 1 -type f -name 'fellowship-*.dump' -mtime +"$((KEEP_DAYS - 1))" -print -delete
find "$BACKUP_DIR" -maxdepth 1 -type f -name 'fellowship-*.dump.partial' -mmin +60 -print -delete

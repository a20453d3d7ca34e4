# special_files.sh — a symlink to /dev/zero and a FIFO: refused at once
# with a one-line error, never read forever.
. "$(dirname "$0")/lib.sh"
set -e
ln -s /dev/zero "$T/zero.log"
hostile "$T/zero.log" 2 "regular file"
mkfifo "$T/fifo.log"
hostile "$T/fifo.log" 2 "regular file"

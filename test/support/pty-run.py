"""Runs a command in a real pseudo-terminal of a given size and copies everything it draws to stdout.

usage: pty-run.py COLUMNS ROWS [--resize-after-seen TEXT SECONDS COLUMNS] [--interrupt-after SECONDS] -- command args...
(--resize-after-seen: SECONDS after TEXT first appears in the output, the terminal gets COLUMNS wide.)
"""
import fcntl, os, pty, select, signal, struct, sys, termios, time


def set_size(fd, columns, rows):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', rows, columns, 0, 0))


def main():
    args = sys.argv[1:]
    split = args.index('--')
    options, command = args[:split], args[split + 1:]
    columns, rows = int(options[0]), int(options[1])
    resize = interrupt = None
    i = 2
    while i < len(options):
        if options[i] == '--resize-after-seen':
            resize = [options[i + 1].encode(), float(options[i + 2]), int(options[i + 3]), None]
            i += 4
        elif options[i] == '--interrupt-after':
            interrupt = float(options[i + 1])
            i += 2
        else:
            raise SystemExit('unknown option ' + options[i])
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(command[0], command)
    set_size(fd, columns, rows)
    started = time.time()
    out = sys.stdout.buffer
    seen = b''
    while True:
        now = time.time() - started
        if resize and resize[3] is not None and now >= resize[3]:
            set_size(fd, resize[2], rows)
            os.kill(pid, signal.SIGWINCH)
            resize = None
        if interrupt is not None and now >= interrupt:
            os.write(fd, b'\x03')  # Ctrl-C, as the terminal sends it
            interrupt = None
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                data = os.read(fd, 65536)
            except OSError:
                break
            if not data:
                break
            out.write(data)
            out.flush()
            if resize and resize[3] is None:
                seen = (seen + data)[-4096:]
                if resize[0] in seen:
                    resize[3] = time.time() - started + resize[1]
    _, status = os.waitpid(pid, 0)
    sys.exit(os.waitstatus_to_exitcode(status) if hasattr(os, 'waitstatus_to_exitcode') else status >> 8)


main()

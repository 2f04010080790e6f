/// A small Python watchdog the store tests start their servers under (`python3 -c Watchdog.script PROGRAM ARGS...`):
/// it runs the program and kills it when its own stdin closes (the test process's lifeline, closed at exit, even
/// after a crash) or on SIGTERM, so a server never outlives the tests.
public enum Watchdog {
    public static let script = """
        import signal, subprocess, sys
        signal.pthread_sigmask(signal.SIG_SETMASK, [])  # Foundation's Process starts children with signals blocked
        p = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        def stop(*_):
            p.kill()
            p.wait()
            sys.exit(0)
        signal.signal(signal.SIGTERM, stop)
        sys.stdin.read()
        stop()
        """
}

import Foundation
import IdemProcess
import Testing

/// The one runner of child processes: what `credential_process` relies on (no shell, stdin closed, a time limit, the
/// exit code and both outputs), and stopping a long-running child that ignores SIGTERM.
///
/// The stubborn children `exec` their `sleep`: Foundation's `Process` sees a child end only once every process that
/// inherited its watch descriptor has, so a grandchild left behind would keep it "running" (see `ChildProcess`).
@Suite struct ChildProcessTests {
    @Test func collectsBothOutputsAndTheExitCode() throws {
        let r = try ChildProcess.run("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"])
        #expect(r.code == 3)
        #expect(r.stdoutText == "out\n")
        #expect(r.stderrText == "err\n")
    }

    @Test func argumentsReachTheProgramAsTheyAreWithNoShell() throws {
        let r = try ChildProcess.run("/usr/bin/printf", ["%s|", "$HOME", "a b", "*"])
        #expect(r.stdoutText == "$HOME|a b|*|")
    }

    @Test func stdinIsClosed() throws {
        // `cat` waits for input unless its stdin is at end-of-file.
        let r = try ChildProcess.run("/bin/sh", ["-c", "cat; echo done"], timeout: 30)
        #expect(r.stdoutText == "done\n")
    }

    @Test func theEnvironmentIsExactlyTheOneGiven() throws {
        let r = try ChildProcess.run("/usr/bin/env", [], environment: ["ONLY": "this"])
        #expect(r.stdoutText == "ONLY=this\n")
    }

    @Test func aLargeOutputDoesNotStallTheChild() throws {
        let r = try ChildProcess.run("/usr/bin/head", ["-c", "3000000", "/dev/zero"], timeout: 60)
        #expect(r.code == 0)
        #expect(r.stdout.count == 3_000_000)
    }

    @Test func aChildKilledByASignalReportsItLikeAShell() throws {
        let r = try ChildProcess.run("/bin/sh", ["-c", "kill -9 $$"])
        #expect(r.code == 128 + 9)
    }

    @Test func aChildPastTheTimeLimitIsStopped() throws {
        let started = Date()
        #expect {
            _ = try ChildProcess.run("/bin/sh", ["-c", "trap '' TERM; exec sleep 60"], timeout: 0.5)
        } throws: { error in
            guard case ChildProcess.Failure.timedOut(_, let seconds) = error else { return false }
            return seconds == 0.5
        }
        // SIGTERM is ignored: SIGKILL a second later ends it, long before its 60 s.
        #expect(Date().timeIntervalSince(started) < 30)
    }

    @Test func aMissingProgramCannotStart() {
        #expect(throws: ChildProcess.Failure.self) { try ChildProcess.run("/nonexistent/program") }
    }

    @Test func stoppingAChildThatIgnoresSIGTERMKillsIt() throws {
        let child = try RunningChild("/bin/sh", ["-c", "trap '' TERM; exec sleep 60"])
        #expect(child.isRunning)
        let started = Date()
        child.stop(grace: 0.5)
        #expect(!child.isRunning)
        #expect(Date().timeIntervalSince(started) < 30)
    }

    @Test func closingTheLifelineEndsAChildThatWatchesItsStdin() throws {
        let child = try RunningChild("/bin/sh", ["-c", "cat >/dev/null"], input: .lifeline)
        #expect(!child.wait(seconds: 0.2), "it waits for input while the lifeline is open")
        child.closeInput(waiting: 30)
        #expect(!child.isRunning)
        #expect(child.exitCode == 0, "it ended on end-of-file, not on SIGKILL")
    }
}

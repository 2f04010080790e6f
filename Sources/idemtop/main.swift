import ArgumentParser
import Foundation
import IdemApp
import IdemStore

// Exit codes: 0 success, 1 a runtime error (one line on stderr), 2 a usage error, 3 a refused action, 4 findings
// at or above --fail-on. ArgumentParser's own usage exit code (64) is mapped to 2.
// One malloc arena: the read-ahead thread allocates the strings the ledger keeps, and a second arena only fragments
// (measured: 414 MiB peak for a 1M-token journal with two arenas, 388 MiB with one, and no slower). M_ARENA_MAX is -8.
_ = glibcMallopt(-8, 1)
// Fixed thresholds instead of glibc's sliding ones: the decoding threads fill arrays of a few MB that the folding
// thread frees a moment later, and with the sliding trim threshold (twice the largest chunk freed) each free at the
// top of the heap gave the pages back, so the next array faulted in fresh zeroed pages: a cold load of the 1.5 GB
// journal spent 9 % of its CPU in the kernel's page clearing. Below 32 MB from the heap, kept (not trimmed) up to
// 256 MB free at its top. M_MMAP_THRESHOLD is -3, M_TRIM_THRESHOLD -1.
_ = glibcMallopt(-3, 32 << 20)
_ = glibcMallopt(-1, 256 << 20)

do {
    var command = try Idemtop.parseAsRoot()
    // The config file is checked the same way for every command, headless or not: a broken one is one line, exit 1.
    _ = try UserConfig.load()
    try command.run()
} catch let code as ExitCode {
    exit(code.rawValue)
} catch let failure as CLIFailure {
    printError("idemtop: \(failure.message)")
    exit(failure.code)
} catch let error as ConfigFileError {
    FileHandle.standardError.write(Data("idemtop: \(error)\n".utf8))
    exit(1)
} catch let error as StoreError {
    let code: Int32 = { if case .usage = error { return 2 } else { return 1 } }()
    printError("idemtop: \(error)")
    exit(code)
} catch let first {
    let error = ArgumentErrors.clearest(first, arguments: Array(CommandLine.arguments.dropFirst()))
    let code = Idemtop.exitCode(for: error)
    if code == .success {
        print(Idemtop.fullMessage(for: error))
        exit(0)
    }
    let message = Idemtop.fullMessage(for: error)
    let isUsage = code.rawValue == 64 || error is ValidationError || code == .validationFailure
    if isUsage {
        printError(message)
        exit(2)
    }
    printError("idemtop: \(message)")
    exit(1)
}
exit(0)

/// glibc's `mallopt(3)`, which Swift's Glibc module does not export.
@_silgen_name("mallopt")
func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32

import Foundation
import IdemCore

/// Buffered standard output written with `write(2)`: large listings go out in big chunks, and `flush` makes a
/// followed tail visible at once even when stdout is a pipe.
///
/// It is the output boundary of every command: what it writes passes `Sanitizer` (newline and tab kept), so no text
/// from a store reaches the terminal raw, whatever the caller forgot.
public struct Output {
    private var buffer: [UInt8] = []

    public init() { buffer.reserveCapacity(1 << 16) }

    public mutating func line(_ text: String) {
        buffer.append(contentsOf: Sanitizer.visible(text, keepingLayout: true).utf8)
        buffer.append(10)
        if buffer.count >= 1 << 16 { flush() }
    }

    /// Appends bytes (a journal line, UTF-8); any that would drive a terminal are made visible.
    public mutating func bytes(_ b: [UInt8]) {
        if b.allSatisfy({ ($0 >= 0x20 && $0 < 0x7f) || $0 == 0x0A || $0 == 0x09 }) {
            buffer.append(contentsOf: b)
        } else {
            buffer.append(contentsOf: Sanitizer.visible(String(decoding: b, as: UTF8.self), keepingLayout: true).utf8)
        }
        if buffer.count >= 1 << 16 { flush() }
    }

    public mutating func flush() {
        var offset = 0
        while offset < buffer.count {
            let n = buffer.withUnsafeBytes { raw in
                Foundation.write(1, raw.baseAddress.map { $0 + offset }, buffer.count - offset)
            }
            if n <= 0 {
                if errno == EINTR { continue }
                break
            }
            offset += n
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// Writes one line (or, with `terminator: ""`, a prompt) to standard error, made visible as `Output` does: the
/// boundary of every message, warning and prompt.
public func printError(_ text: String, terminator: String = "\n") {
    FileHandle.standardError.write(Data((Sanitizer.visible(text, keepingLayout: true) + terminator).utf8))
}

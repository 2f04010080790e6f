import Foundation

/// The top-level keys of a journal line, recognised from raw bytes without making a String.
enum JournalField: UInt8 {
    case v, kind, at, tenant, token, operation, fingerprint, storedFingerprint, outcome, expiresAt, lockedUntil
    case request, response, error, actor, reason, sawStatus, sawVersion, target, resultStatus
    case unknown

    /// The field a key's bytes name.
    static func match(_ b: UnsafeBufferPointer<UInt8>) -> JournalField {
        guard let p = b.baseAddress else { return .unknown }
        @inline(__always) func eq(_ s: StaticString) -> Bool {
            s.utf8CodeUnitCount == b.count && memcmp(p, s.utf8Start, b.count) == 0
        }
        switch b.count {
        case 1: return p[0] == 118 ? .v : .unknown
        case 2: return eq("at") ? .at : .unknown
        case 4: return eq("kind") ? .kind : .unknown
        case 5: return eq("token") ? .token : eq("error") ? .error : eq("actor") ? .actor : .unknown
        case 6: return eq("tenant") ? .tenant : eq("reason") ? .reason : eq("target") ? .target : .unknown
        case 7: return eq("outcome") ? .outcome : eq("request") ? .request : .unknown
        case 8: return eq("response") ? .response : .unknown
        case 9: return eq("operation") ? .operation : .unknown
        case 10: return eq("expires_at") ? .expiresAt : eq("saw_status") ? .sawStatus : .unknown
        case 11: return eq("fingerprint") ? .fingerprint : eq("saw_version") ? .sawVersion : .unknown
        case 12: return eq("locked_until") ? .lockedUntil : .unknown
        case 13: return eq("result_status") ? .resultStatus : .unknown
        case 18: return eq("stored_fingerprint") ? .storedFingerprint : .unknown
        default: return .unknown
        }
    }

    /// The event kind its raw value's bytes name.
    static func kind(_ b: UnsafeBufferPointer<UInt8>) -> EventKind? {
        guard let p = b.baseAddress else { return nil }
        @inline(__always) func eq(_ s: StaticString) -> Bool {
            s.utf8CodeUnitCount == b.count && memcmp(p, s.utf8Start, b.count) == 0
        }
        switch b.count {
        case 7: return eq("request") ? .request : nil
        case 9: return eq("completed") ? .completed : nil
        case 6: return eq("failed") ? .failed : eq("replay") ? .replay : nil
        case 5: return eq("purge") ? .purge : nil
        default: return nil
        }
    }

    /// The outcome its raw value's bytes name.
    static func outcome(_ b: UnsafeBufferPointer<UInt8>) -> Outcome? {
        guard let p = b.baseAddress else { return nil }
        @inline(__always) func eq(_ s: StaticString) -> Bool {
            s.utf8CodeUnitCount == b.count && memcmp(p, s.utf8Start, b.count) == 0
        }
        switch b.count {
        case 8:
            switch p[0] {
            case 101: return eq("executed") ? .executed : nil
            case 114: return eq("replayed") ? .replayed : nil
            case 109: return eq("mismatch") ? .mismatch : nil
            case 99: return eq("conflict") ? .conflict : nil
            default: return nil
            }
        case 10: return eq("reexecuted") ? .reexecuted : nil
        default: return nil
        }
    }
}

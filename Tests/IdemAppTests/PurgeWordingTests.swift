import Foundation
import IdemApp
import IdemCore
import IdemFakes
import IdemStore
import IdemUI
import Testing

/// A driver's own purge wording (`StoreDriver.purgeWording`) reaches the dashboard through the run loop: the
/// dialog asks with it, and the result line, alone or in a bulk purge, says what was done.
@Suite struct PurgeWordingTests {
    /// A journal whose driver says its purge of a stuck token lets the lock go (any driver can say so).
    struct UnstickingJournal: StoreDriver {
        static let unstick = PurgeWording(action: "Unstick", done: "unstuck",
                                          consequence: "the lock is let go and the work resumes on the next retry")
        let journal = JournalDriver()
        var kind: String { journal.kind }
        var locationHelp: String { journal.locationHelp }
        var entryNoun: String { journal.entryNoun }
        var opensLocally: Bool { journal.opensLocally }
        func recognise(_ text: String) throws -> StoreLocation? { try journal.recognise(text) }
        func location(forced path: String) throws -> StoreLocation { try journal.location(forced: path) }
        func reader(_ location: StoreLocation, mode: OpenMode) throws -> any EventReader {
            try journal.reader(location, mode: mode)
        }
        func admin(_ location: StoreLocation, policy: Policy, clock: any Clock) throws -> any TokenAdmin {
            try journal.admin(location, policy: policy, clock: clock)
        }
        func writer(_ location: StoreLocation, policy: Policy, clock: any Clock, create: Bool) throws -> any TokenWriter {
            try journal.writer(location, policy: policy, clock: clock, create: create)
        }
        func purgeWording(for status: TokenStatus, in location: StoreLocation) -> PurgeWording {
            status == .stuck ? UnstickingJournal.unstick : .standard(for: status)
        }
    }

    @Test func theDashboardAsksAndReportsInTheDriversWords() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("idemtop-wording-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let location = JournalDriver.location(dir.appendingPathComponent("p.jsonl").path)
        let registry = StoreRegistry([UnstickingJournal()])
        let clock = ManualClock(Instant(rfc3339: "2026-11-29T06:00:00Z") ?? Instant(ms: 0))
        let writer = try registry.writer(location, policy: .standard, clock: clock, create: true)
        let fp = Fingerprint(String(repeating: "ab", count: 32))
        for token in ["stuck-1", "stuck-2"] {
            _ = try writer.begin(tenant: "acme", token: token, operation: "POST /v1/charges", fingerprint: fp, request: nil)
        }
        guard case .execute(let ticket, _) = try writer.begin(tenant: "acme", token: "done-1", operation: "POST /v1/charges",
                                                              fingerprint: fp, request: nil)
        else { throw StoreError.usage("expected an execution") }
        try writer.complete(ticket, response: StoredResponse(status: 201, body: "{}"))
        clock.advance(.minutes(5))
        let ui = DashboardDriver(reader: try registry.reader(location), clock: clock, width: 120, height: 40,
                                 options: DashboardOptions(clock: clock), registry: registry)
        ui.pump()
        #expect(ui.state.purgeWordings == [0: [.stuck: UnstickingJournal.unstick]])
        #expect(ui.type(":filter stuck-1"))
        ui.press(.enter)
        #expect(ui.state.selectedKey?.token == "stuck-1")
        ui.press(.char("d"))
        #expect(ui.screen.contains("Unstick this token?"), "\(ui.screen)")
        #expect(ui.screen.contains("What will happen: the lock is let go and the work resumes on the next retry."))
        ui.press(.tab, .enter)
        #expect(ui.settle(until: { ui.screen.contains("unstuck acme/stuck-1 (saw stuck, version 1) by") }), "\(ui.screen)")
        ui.pump()
        #expect(ui.state.ledger.record(TokenKey(tenant: "acme", token: "stuck-1"))?.stored == .purged)

        // A bulk purge of a stuck and a completed token says what was done to each kind.
        #expect(ui.type(":filter op:charges"))
        ui.press(.enter)
        ui.press(.char("D"))
        #expect(ui.screen.contains("stuck: the lock is let go") && ui.screen.contains("completed: its stored response"),
                "\(ui.screen)")
        #expect(ui.type("2"))
        ui.press(.enter)
        #expect(ui.settle(until: { ui.screen.contains("unstuck 1 and purged 1 of 2 tokens by") }), "\(ui.screen)")
    }

    /// The CLI's listing before the prompt and its result line, with a driver's wording and with the standard one.
    @Test func theCLIListingAndResultLineSayWhatThePurgeDoes() {
        let seen = PurgeExpectation(status: .stuck, version: 3, storedStatus: .inProgress, expiresAt: Instant(ms: 0))
        let standard = PurgeTarget(key: TokenKey(tenant: "acme", token: "t1"), operation: "POST /rides", expect: seen,
                                   age: .minutes(2), hits: 0)
        var worded = standard
        worded.wording = UnstickingJournal.unstick
        let event = StoreEvent(kind: .purge, at: Instant(ms: 0), tenant: "acme", token: "t1", actor: "ops@host")
        #expect(PurgeRun.line(worded, .purged(event), actor: "x") == "unstuck acme/t1 (saw stuck, version 3) by ops@host")
        #expect(PurgeRun.line(standard, .purged(event), actor: "x") == "purged acme/t1 (saw stuck, version 3) by ops@host")
        let preview = PurgeRun.preview([worded], dryRun: true)
        #expect(preview.contains("  the lock is let go and the work resumes on the next retry"), "\(preview)")
        #expect(!preview.contains { $0.contains(TokenStatus.stuck.purgeConsequence) })
        let report = PurgeReport(targets: [worded], outcomes: [nil], dryRun: true, reason: "r")
        #expect(report.tokens.first?.consequence == UnstickingJournal.unstick.consequence)
    }
}

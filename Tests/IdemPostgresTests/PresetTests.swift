import Foundation
import IdemCore
import IdemStore
import IdemTestSupport
import Testing
@testable import IdemPostgres

/// The Medusa, idempotence4j, node-idempotency and custom presets, on tables written with their own SQL.
@Suite(.serialized) struct PresetTests {
    @Test func medusaKeysAreCompletedAtFinishedAndStuckAfterItsOneSecondLock() throws {
        let fx = try PGFixture("preset_medusa", setup: "medusa-setup")
        try fx.drive([["op": "medusa-request", "key": "cart-done"],
                      ["op": "medusa-request", "key": "cart-busy", "finish": false]])
        let reader = try fx.reader("table=idempotency_key&preset=medusa")
        var ledger = Ledger()
        try load(reader, into: &ledger)
        let now = Instant(Date())
        let done = try #require(ledger.record(TokenKey(tenant: "", token: "cart-done")))
        let busy = try #require(ledger.record(TokenKey(tenant: "", token: "cart-busy")))
        #expect(done.status(at: now) == .completed && done.responseStatus == 200)
        #expect(busy.stored == .inProgress)
        #expect(busy.status(at: now + .seconds(2)) == .stuck)
        // Medusa keeps keys for ever: no expiry.
        #expect(done.status(at: now + .hours(24 * 365)) == .completed)
        #expect(ledger.operation(of: done) == "POST /store/carts/complete")
    }

    @Test func idempotence4jActionsHaveTheirClientAsTenantAndTypeAsOperation() throws {
        let fx = try PGFixture("preset_i4j", setup: "i4j-setup")
        try fx.drive([["op": "i4j-action", "key": "transfer-1", "type": "CREATE_TRANSFER", "client": "mobile"],
                      ["op": "i4j-action", "key": "transfer-2", "type": "CREATE_TRANSFER", "client": "web",
                       "complete": false]])
        let reader = try fx.reader("table=idempotent_action&preset=idempotence4j")
        var ledger = Ledger()
        try load(reader, into: &ledger)
        let one = try #require(ledger.record(TokenKey(tenant: "mobile", token: "transfer-1")))
        let two = try #require(ledger.record(TokenKey(tenant: "web", token: "transfer-2")))
        #expect(one.stored == .completed && two.stored == .inProgress)
        #expect(ledger.operation(of: one) == "CREATE_TRANSFER")
        let detail = try reader.detail(for: TokenKey(tenant: "mobile", token: "transfer-1"))
        #expect(detail.response?.body?.contains("transferId") == true)
    }

    @Test func nodeIdempotencyKeysSplitIntoOperationAndTokenAndExpireAtExpiresAt() throws {
        let fx = try PGFixture("preset_node", setup: "node-setup")
        try fx.drive([["op": "node-request", "key": "k-1", "ttl_ms": 60_000],
                      ["op": "node-request", "key": "k-2", "complete": false]])
        let reader = try fx.reader("table=idempotency&schema=node_idempotency&preset=node-idempotency")
        var ledger = Ledger()
        try load(reader, into: &ledger)
        let now = Instant(Date())
        let one = try #require(ledger.record(TokenKey(tenant: "", token: "k-1")))
        #expect(one.status(at: now) == .completed)
        #expect(one.status(at: now + .seconds(61)) == .expired)
        #expect(ledger.operation(of: one) == "POST /charges")
        #expect(one.fingerprint == Fingerprint("ab12"))
        #expect(ledger.record(TokenKey(tenant: "", token: "k-2"))?.stored == .inProgress)
    }

    @Test func customMappingReadsAnyTableAndSaysWhichValueIsUnmapped() throws {
        let fx = try PGFixture("preset_custom", setup: "node-setup")
        _ = try fx.sql("CREATE TABLE keys (k text primary key, owner text, made timestamptz not null default now(), "
            + "state text, http int)")
        _ = try fx.sql("INSERT INTO keys VALUES ('a', 'acme', now(), 'DONE', 200), ('b', 'acme', now(), 'RUN', NULL), "
            + "('c', 'acme', now(), 'WAT', NULL)")
        let reader = try fx.reader("table=keys&preset=custom&key_col=k&tenant_col=owner&created_col=made&"
            + "status_col=state&status_map=DONE:completed,RUN:in_progress&response_status_col=http")
        var ledger = Ledger()
        var malformed: [MalformedEntry] = []
        while try reader.poll(limit: 1000, { ledger.apply($0) }, malformed: { malformed.append($0) }) > 0 {}
        #expect(ledger.record(TokenKey(tenant: "acme", token: "a"))?.stored == .completed)
        #expect(ledger.record(TokenKey(tenant: "acme", token: "b"))?.stored == .inProgress)
        #expect(malformed.count == 1 && malformed[0].reason.contains("state = 'WAT' is not in status_map"))
    }
}

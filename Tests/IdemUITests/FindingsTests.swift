import IdemCore
import IdemUI
import Testing

/// The fixture plus one event history per remaining finding kind, so the findings view shows every kind.
enum FindingsFixture {
    static let fpC = Fingerprint(String(repeating: "c3", count: 32))
    static let doubleA = "9b1e6f2c-charge-retry-a7d4"
    static let doubleB = "0c7d3a91-charge-retry-e2f8"

    static var events: [StoreEvent] {
        var out = Fixture.events
        typealias F = Fixture
        // One payload executed under two tokens 30 s apart: the client made a new token on retry.
        out.append(F.request("acme", doubleA, "POST /v1/charges", .executed, at: F.at(-90), fingerprint: fpC))
        out.append(F.completed("acme", doubleA, at: F.at(-89)))
        out.append(F.request("acme", doubleB, "POST /v1/charges", .executed, at: F.at(-60), fingerprint: fpC))
        out.append(F.completed("acme", doubleB, at: F.at(-59)))
        // A retry loop: 15 hits in 30 s.
        let storm = "5f0e2b7d-9c1a-4e83-b6d2-storm"
        out.append(F.request("hooli", storm, "POST /v1/payouts", .executed, at: F.at(-50)))
        out.append(F.completed("hooli", storm, at: F.at(-49)))
        for i in 0..<15 { out.append(F.request("hooli", storm, "POST /v1/payouts", .replayed, at: F.at(-48 + Int64(i) * 2))) }
        return out
    }

    /// The state with every event applied, the findings computed and the index built.
    static func state(width: Int = 80, height: Int = 24) -> AppState {
        var s = AppState(storeName: "payments.jsonl", storeKind: "journal", now: Fixture.now)
        _ = s.update(.resize(width: width, height: height))
        _ = s.update(.events(events, malformed: []))
        _ = s.update(.progress(LoadStatus(done: 4096, total: 4096, unit: "bytes", rate: 0, finished: true)))
        _ = s.update(.tick(Fixture.now))
        _ = s.update(.reindex)
        return s
    }
}

/// The findings in the dashboard: the header counts, the view, its keys, the jump to a token, `finding:KIND`.
@Suite struct FindingsTests {
    let dark = BuiltinThemes.standard

    @Test(arguments: [(80, 24), (120, 40)])
    func findingsView(width: Int, height: Int) {
        var s = FindingsFixture.state(width: width, height: height)
        _ = s.update(.key(.char("F")))
        #expect(s.mode == .findings)
        assertSnapshot(Fixture.rendered(s), theme: dark, named: "findings-\(width)x\(height)")
        _ = s.update(.key(.char("j")))
        assertSnapshot(Fixture.rendered(s), theme: dark, named: "findings-second-\(width)x\(height)")
    }

    @Test func everyPlantedKindIsFound() {
        let s = FindingsFixture.state()
        let kinds = Set(s.findings.findings.map(\.kind))
        for k in [FindingKind.doubleChargeSuspect, .reexecutedAfterExpiry, .tokenReuse, .stuck, .weakToken, .retryStorm] {
            #expect(kinds.contains(k), "no \(k.rawValue)")
        }
    }

    @Test func theHeaderCountsFindingsByKindInWords() {
        let s = FindingsFixture.state(width: 120, height: 40)
        let line = Fixture.rendered(s).line(3)
        let counts = Dictionary(grouping: s.findings.findings, by: \.kind).mapValues(\.count)
        #expect(line.hasPrefix(" findings  "))
        for (kind, n) in counts { #expect(line.contains("\(kind.shortLabel) \(n)"), "\(kind) in \(line)") }
        #expect(line.contains("F: view"))
        // On 80 columns the hint gives way to the counts; what still does not fit ends in `…`.
        let narrow = Fixture.rendered(FindingsFixture.state(width: 80, height: 24)).line(3)
        for (kind, n) in counts { #expect(narrow.contains("\(kind.shortLabel) \(n)"), "\(kind) in \(narrow)") }
        #expect(!narrow.contains("F: view"))
        var tight = FindingsFixture.state(width: 60, height: 24)
        _ = tight.update(.resize(width: 60, height: 24))
        let cut = Fixture.rendered(tight).line(3)
        #expect(cut.contains("double_charge 3 reexecuted 1"), "one space between parts when short: \(cut)")
        #expect(cut.trimmingCharacters(in: .whitespaces).hasSuffix("…"))
    }

    @Test func theHeaderSaysNoneWhenNothingIsWrong() {
        var s = AppState(storeName: "x", storeKind: "journal", now: Fixture.now)
        _ = s.update(.resize(width: 80, height: 24))
        _ = s.update(.tick(Fixture.now))
        #expect(Fixture.rendered(s).line(3).hasPrefix(" findings  none"))
    }

    @Test func keysMoveInTheListAndEscGoesBack() {
        var s = FindingsFixture.state()
        let n = s.findings.findings.count
        #expect(n > 5)
        _ = s.update(.key(.char("F")))
        #expect(s.findings.cursor == 0)
        _ = s.update(.key(.char("j")))
        _ = s.update(.key(.down))
        #expect(s.findings.cursor == 2)
        _ = s.update(.key(.char("k")))
        #expect(s.findings.cursor == 1)
        _ = s.update(.key(.char("G")))
        #expect(s.findings.cursor == n - 1)
        _ = s.update(.key(.char("g")))
        #expect(s.findings.cursor == 0)
        _ = s.update(.key(.pageDown))
        #expect(s.findings.cursor > 1)
        _ = s.update(.key(.pageUp))
        #expect(s.findings.cursor == 0)
        _ = s.update(.key(.char("?")))
        #expect(s.mode == .help)
        _ = s.update(.key(.escape))
        #expect(s.mode == .findings, "the help goes back where it came from")
        _ = s.update(.key(.escape))
        #expect(s.mode == .main)
        _ = s.update(.key(.char(":")))
        for ch in "findings" { _ = s.update(.key(.char(ch))) }
        _ = s.update(.key(.enter))
        #expect(s.mode == .findings)
        let effects = s.update(.key(.char("q")))
        #expect(effects == [.quit])
    }

    /// `l` (→) jumps to the token; Enter on a double charge opens its tokens side by side (FindingsNarrowTests).
    @Test func lJumpsToTheFirstTokenOfADoubleCharge() {
        var s = FindingsFixture.state()
        _ = s.update(.key(.char("F")))
        let row = s.findings.findings.firstIndex {
            $0.kind == .doubleChargeSuspect && $0.tokens.contains(FindingsFixture.doubleB)
        } ?? -1
        #expect(row >= 0)
        let first = row >= 0 ? s.findings.findings[row].tokens.first : nil
        #expect(first != FindingsFixture.doubleB)
        for _ in 0..<row { _ = s.update(.key(.char("j"))) }
        _ = s.update(.key(.char("l")))
        #expect(s.mode == .main)
        #expect(s.selectedKey == first.map { TokenKey(tenant: "acme", token: $0) })
        #expect(s.cursor >= s.scrollTop && s.cursor < s.scrollTop + s.layout.tableHeight)
    }

    @Test func enterClearsAFilterThatHidesTheToken() {
        var s = FindingsFixture.state()
        s.setFilter("tenant:globex")
        s.reindex()
        _ = s.update(.key(.char("F")))
        let row = s.findings.findings.firstIndex { $0.kind == .retryStorm } ?? -1
        #expect(row >= 0)
        for _ in 0..<row { _ = s.update(.key(.char("j"))) }
        _ = s.update(.key(.enter))
        #expect(s.filter.isEmpty)
        #expect(s.selected?.token == s.findings.findings[row].tokens.first)
        #expect(s.notice?.text.hasPrefix("filter cleared") == true)
    }

    @Test func theFindingFilterSelectsTokensOfThatKind() {
        var s = FindingsFixture.state()
        let ok1 = s.setFilter("finding:stuck")
        #expect(ok1)
        s.reindex()
        #expect(s.index.rows.map { s.ledger.records[Int($0)].token } == ["order-1001"])
        let ok2 = s.setFilter("finding:double-charge")
        #expect(ok2)
        s.reindex()
        let charged = Set(s.index.rows.map { s.ledger.records[Int($0)].token })
        #expect(charged.isSuperset(of: [FindingsFixture.doubleA, FindingsFixture.doubleB]))
        #expect(!charged.contains("order-1001"))
        let ok3 = s.setFilter("!finding:weak tenant:acme")
        #expect(ok3)
        s.reindex()
        #expect(s.index.rows.allSatisfy { s.ledger.records[Int($0)].token.count >= 16 })
        let ok4 = s.setFilter("finding:bogus")
        #expect(!ok4)
        #expect(s.filterError?.contains("double_charge, reexecuted, reuse, stuck, weak, storm, expiring") == true)
    }

    @Test func findingsAreRecomputedAtMostOnceASecondAndOnlyWhenSomethingMoved() {
        var s = FindingsFixture.state()
        let first = s.findings.computedAt
        #expect(first == Fixture.now)
        _ = s.update(.tick(Fixture.at(5)))
        #expect(s.findings.computedAt == first, "nothing moved: no recomputation")
        let late = Fixture.request("acme", "late-token-0000000001", "POST /v1/charges", .executed, at: Fixture.at(5))
        _ = s.update(.events([late], malformed: []))
        _ = s.update(.tick(Fixture.at(5) + TimeSpan(ms: 500)))
        #expect(s.findings.computedAt == Fixture.at(5) + TimeSpan(ms: 500))
        _ = s.update(.events([late], malformed: []))
        _ = s.update(.tick(Fixture.at(5) + TimeSpan(ms: 900)))
        #expect(s.findings.computedAt == Fixture.at(5) + TimeSpan(ms: 500), "within a second: capped")
        _ = s.update(.key(.char("F")))
        #expect(s.findings.computedAt == Fixture.at(5) + TimeSpan(ms: 900), "opening the view refreshes what moved")
        _ = s.update(.key(.char("G")))
        let last = s.findings.selected
        _ = s.update(.events([late], malformed: []))
        _ = s.update(.tick(Fixture.at(7)))
        #expect(s.findings.computedAt == Fixture.at(7))
        #expect(s.findings.selected?.kind == last?.kind && s.findings.selected?.tokens == last?.tokens,
                "the selection stays on its finding")
        // A big store waits longer between reports: a report over a million tokens costs about 0.1 s.
        #expect(FindingsState.gap(records: 8) == .seconds(1))
        #expect(FindingsState.gap(records: 400_000) == .seconds(3))
        #expect(FindingsState.gap(records: 1_000_000) == .seconds(6))
        #expect(FindingsState.gap(records: 1_000_000, findings: 800_000) == .seconds(30))
    }
}

import Foundation
import IdemCore
import IdemUI
import Testing

/// One sort vocabulary: `list --sort` and the dashboard's `:sort` take the same names, each the other's as aliases.
@Suite struct SortVocabularyTests {
    @Test func listTakesTheDashboardNamesAsAliases() throws {
        let path = NSTemporaryDirectory() + "idemtop-sortvocab-\(getpid()).jsonl"
        try? FileManager.default.removeItem(atPath: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let sim = try CLIRunner.run(["simulate", path, "--events", "400", "--seed", "3"])
        #expect(sim.code == 0, "\(sim.stderr)")
        // One instant for both runs: the AGE and LAST SEEN cells move with the clock.
        let at = Instant(ms: Int64(Date().timeIntervalSince1970 * 1000)).rfc3339
        for (alias, field) in [("age", "created"), ("last-seen", "last_seen"), ("mism", "mismatches"), ("op", "operation")] {
            let a = try CLIRunner.run(["list", path, "--sort", alias, "--limit", "20", "--at", at])
            let b = try CLIRunner.run(["list", path, "--sort", field, "--limit", "20", "--at", at])
            #expect(a.code == 0 && b.code == 0, "\(a.stderr) \(b.stderr)")
            #expect(a.stdout == b.stdout && !a.stdout.isEmpty, "--sort \(alias) is not --sort \(field)")
        }
        let bad = try CLIRunner.run(["list", path, "--sort", "colour"])
        #expect(bad.code != 0)
    }

    /// `--limit N` keeps the best N as it goes (small N) or sorts all and cuts (large N): either way the first N
    /// lines of the whole listing, for every sort and with `--reverse`.
    @Test func aLimitedListIsThePrefixOfTheWholeOne() throws {
        let path = NSTemporaryDirectory() + "idemtop-sortlimit-\(getpid()).jsonl"
        try? FileManager.default.removeItem(atPath: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let sim = try CLIRunner.run(["simulate", path, "--events", "3000", "--seed", "5"])
        #expect(sim.code == 0, "\(sim.stderr)")
        let at = Instant(ms: Int64(Date().timeIntervalSince1970 * 1000)).rfc3339
        for sort in ["status", "token", "created", "hits", "last_seen", "expires"] {
            for reverse in [[], ["--reverse"]] {
                let base = ["list", path, "--sort", sort, "--format", "csv", "--at", at, "--no-cache"] + reverse
                let whole = try CLIRunner.run(base)
                #expect(whole.code == 0, "\(whole.stderr)")
                let lines = whole.stdout.split(separator: "\n")
                #expect(lines.count > 1100)
                for limit in [0, 1, 7, 1000, 1001] {
                    let cut = try CLIRunner.run(base + ["--limit", "\(limit)"])
                    #expect(cut.stdout.split(separator: "\n") == Array(lines.prefix(limit + 1)),
                            "--sort \(sort) \(reverse) --limit \(limit)")
                }
            }
        }
    }

    @Test func theDashboardTakesTheListNames() {
        var s = AppState(storeName: "x", storeKind: "journal", now: Instant(ms: 0))
        for (name, column) in [("created", Column.age), ("last_seen", .lastSeen), ("expires", .expires), ("age", .age)] {
            _ = s.update(.key(.char(":")))
            for ch in "sort \(name)" { _ = s.update(.key(.char(ch))) }
            _ = s.update(.key(.enter))
            #expect(s.sortColumn == column && s.notice == nil, "\(name)")
        }
        #expect(Column.age.sortName == "created")
        #expect(Column.allCases.allSatisfy { $0 == .store || TokenListingNames.all.contains($0.sortName) })
    }
}

/// The names `list --sort` lists in its help (kept here so the test reads them without the app module).
enum TokenListingNames {
    static let all = ["status", "tenant", "token", "operation", "created", "updated", "expires", "hits", "mismatches",
                      "conflicts", "last_seen"]
}

import Foundation
import IdemCore

/// The store kinds a program can open, as a value passed down (like themes), never a global filled at start.
///
/// The app builds one with every driver it links (`StoreRegistry.files` here holds the journal and SQLite); a
/// location is parsed by asking each driver in turn, then `kind:` prefixes force one.
public struct StoreRegistry: Sendable {
    public var drivers: [any StoreDriver]

    public init(_ drivers: [any StoreDriver]) { self.drivers = drivers }

    /// The file stores this module implements: a JSON-lines journal and SQLite.
    public static let files = StoreRegistry([JournalDriver(), SQLiteDriver()])

    /// This registry with `more` drivers after its own.
    public func adding(_ more: any StoreDriver...) -> StoreRegistry { StoreRegistry(drivers + more) }

    /// The location `text` names: `kind:PATH` forces a kind, else the first driver that recognises it.
    public func location(parsing text: String) throws -> StoreLocation {
        if !text.contains("://") {
            for d in drivers where text.hasPrefix(d.kind + ":") {
                return try d.location(forced: String(text.dropFirst(d.kind.count + 1)))
            }
        }
        for d in drivers {
            if let location = try d.recognise(text) { return location }
        }
        throw StoreError.usage("cannot tell the store kind of '\(Sanitizer.visible(text))': "
            + drivers.map(\.locationHelp).joined(separator: "; "))
    }

    /// The driver of `location`; a usage error when this program has none for its kind.
    public func driver(for location: StoreLocation) throws -> any StoreDriver {
        guard let d = drivers.first(where: { $0.kind == location.kind }) else {
            throw StoreError.usage("this build of idemtop cannot open \(location.kind) stores")
        }
        return d
    }

    public func reader(_ location: StoreLocation, mode: OpenMode = .readOnly) throws -> any EventReader {
        try driver(for: location).reader(location, mode: mode)
    }

    public func admin(_ location: StoreLocation, policy: Policy = .standard,
                      clock: any Clock = SystemClock()) throws -> any TokenAdmin {
        try driver(for: location).admin(location, policy: policy, clock: clock)
    }

    public func writer(_ location: StoreLocation, policy: Policy, clock: any Clock,
                       create: Bool) throws -> any TokenWriter {
        try driver(for: location).writer(location, policy: policy, clock: clock, create: create)
    }

    /// How a purge of a token shown with `status` in `location` is asked and reported (its driver's word).
    public func purgeWording(for status: TokenStatus, in location: StoreLocation) -> PurgeWording {
        (try? driver(for: location))?.purgeWording(for: status, in: location) ?? .standard(for: status)
    }

    /// `target` worded as `location`'s driver says (the location it is purged in).
    public func worded(_ target: PurgeTarget, in location: StoreLocation) -> PurgeTarget {
        var t = target
        t.wording = purgeWording(for: t.expect.status, in: location)
        return t
    }

    /// What a malformed entry of `location`'s kind is called, ("line(s)", "row(s)").
    public func entryNoun(_ location: StoreLocation) -> String {
        (try? driver(for: location).entryNoun) ?? "entries"
    }
}

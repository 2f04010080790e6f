import Foundation
import IdemCore
import IdemStore

/// An idempotency-keys table in PostgreSQL: `postgres://USER@HOST:PORT/DB?table=NAME&preset=P` (docs/postgres.md),
/// through libpq.
///
/// Read, followed and purged here; written by the service's own code, so it has no writer.
public struct PostgresDriver: StoreDriver {
    public static let kind = "postgres"
    public var kind: String { PostgresDriver.kind }
    public var locationHelp: String { "postgres://USER@HOST/DB?table=NAME&preset=rocket-rides for an idempotency-keys table" }
    public var entryNoun: String { "row(s)" }

    public init() {}

    public func recognise(_ text: String) throws -> StoreLocation? {
        guard text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") else { return nil }
        let config = try PostgresDriver.config(StoreLocation(kind: kind, path: text))
        return StoreLocation(kind: kind, path: text, displayName: config.displayName)
    }

    public func location(forced path: String) throws -> StoreLocation {
        guard let location = try recognise(path) else {
            throw StoreError.usage("'\(Sanitizer.visible(path))' is not a postgres://...?table=NAME location")
        }
        return location
    }

    public func reader(_ location: StoreLocation, mode: OpenMode) throws -> any EventReader {
        try PostgresReader(location: location)
    }

    public func admin(_ location: StoreLocation, policy: Policy, clock: any Clock) throws -> any TokenAdmin {
        try PostgresAdmin(location: location, clock: clock)
    }

    public func writer(_ location: StoreLocation, policy: Policy, clock: any Clock,
                       create: Bool) throws -> any TokenWriter {
        throw StoreError.usage("Postgres idempotency tables are written by the service's own code; idemtop only reads and purges them")
    }

    /// A stuck token that the purge releases (`PostgresConfig.releasesLock`) is worded as such: the operator
    /// confirms a release, not a deletion, and learns that the retry resumes the request; any other purge deletes
    /// the row, which the standard wording describes.
    public func purgeWording(for status: TokenStatus, in location: StoreLocation) -> PurgeWording {
        guard let config = try? PostgresDriver.config(location), config.releasesLock(onPurgeOf: status) else {
            return .standard(for: status)
        }
        let lock = Sanitizer.visible(config.preset.lockedCol ?? "")
        return PurgeWording(
            action: "Release the lock of", done: "released the lock of",
            consequence: "its lock is released (\(lock) = NULL) and the row kept at its recovery point: the next "
                + "retry with this key runs the request's remaining phases again; nothing is deleted",
            button: "Release")
    }

    /// The configuration a `postgres://` location names.
    public static func config(_ location: StoreLocation) throws -> PostgresConfig {
        do { return try PostgresConfig(url: location.path) } catch let e as PostgresError {
            throw StoreError.usage("\(e)")
        }
    }

    /// Runs `body`, turning Postgres errors into one-line `StoreError`s that name the table (never the password).
    static func wrap<T>(_ location: StoreLocation, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let e as PostgresError {
            switch e {
            case .usage(let m): throw StoreError.usage(m)
            default: throw StoreError.io(path: "postgres table \(location.displayName)", why: "\(e)")
            }
        }
    }
}

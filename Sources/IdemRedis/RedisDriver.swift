import Foundation
import IdemCore
import IdemStore

/// Idempotency records one library keeps in Redis or Valkey: `redis://[user@]host:port[/db]?profile=...`
/// (`rediss://` for TLS). See docs/redis.md.
///
/// Read and purged here; written only by the services' libraries, so it has no writer.
public struct RedisDriver: StoreDriver {
    public static let kind = "redis"
    public var kind: String { RedisDriver.kind }
    public var locationHelp: String { "redis://host:port[/db]?profile=powertools for records in Redis" }
    public var entryNoun: String { "key(s)" }

    public init() {}

    public func recognise(_ text: String) throws -> StoreLocation? {
        guard text.hasPrefix("redis://") || text.hasPrefix("rediss://") else { return nil }
        let config = try RedisDriver.config(text)
        var name = config.endpoint
        if config.database != 0 { name += "/\(config.database)" }
        return StoreLocation(kind: kind, path: text, displayName: name)
    }

    public func location(forced path: String) throws -> StoreLocation {
        guard let location = try recognise(path) else {
            throw StoreError.usage("'\(Sanitizer.visible(path))' is not a redis://host:port location")
        }
        return location
    }

    public func reader(_ location: StoreLocation, mode: OpenMode) throws -> any EventReader {
        try RedisReader(location: location)
    }

    public func admin(_ location: StoreLocation, policy: Policy, clock: any Clock) throws -> any TokenAdmin {
        try RedisAdmin(location: location, clock: clock)
    }

    public func writer(_ location: StoreLocation, policy: Policy, clock: any Clock,
                       create: Bool) throws -> any TokenWriter {
        throw StoreError.usage("Redis stores are written by the services' libraries; idemtop only reads and purges them")
    }

    /// The configuration a `redis://` location names.
    public static func config(_ location: StoreLocation) throws -> RedisConfig { try config(location.path) }

    static func config(_ text: String) throws -> RedisConfig {
        do { return try RedisConfig(url: text) } catch let e as RedisError { throw StoreError.usage("\(e)") }
    }

    /// Runs `body`, turning Redis errors into one-line `StoreError`s that name the server.
    static func wrap<T>(_ location: StoreLocation, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let e as RedisError {
            switch e {
            case .usage(let m): throw StoreError.usage(m)
            default: throw StoreError.io(path: location.displayName, why: "\(e)")
            }
        }
    }
}

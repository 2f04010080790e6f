import Foundation
import IdemCore
import IdemStore

/// A Powertools idempotency table in DynamoDB: `dynamodb://TABLE?region=R&endpoint=URL&...` (docs/dynamodb.md).
///
/// Read and purged here; written only by Powertools, so it has no writer.
public struct DynamoDriver: StoreDriver {
    public static let kind = "dynamodb"
    public var kind: String { DynamoDriver.kind }
    public var locationHelp: String { "dynamodb://TABLE?region=R for a Powertools table" }
    public var entryNoun: String { "item(s)" }

    public init() {}

    public func recognise(_ text: String) throws -> StoreLocation? {
        guard text.hasPrefix("dynamodb://") else { return nil }
        let table = String(text.dropFirst("dynamodb://".count).prefix { $0 != "?" })
        return StoreLocation(kind: kind, path: text, displayName: table)
    }

    public func location(forced path: String) throws -> StoreLocation {
        guard let location = try recognise(path) else {
            throw StoreError.usage("'\(Sanitizer.visible(path))' is not a dynamodb://TABLE?... location")
        }
        return location
    }

    public func reader(_ location: StoreLocation, mode: OpenMode) throws -> any EventReader {
        try DynamoReader(location: location)
    }

    public func admin(_ location: StoreLocation, policy: Policy, clock: any Clock) throws -> any TokenAdmin {
        try DynamoAdmin(location: location, clock: clock)
    }

    public func writer(_ location: StoreLocation, policy: Policy, clock: any Clock,
                       create: Bool) throws -> any TokenWriter {
        throw StoreError.usage("DynamoDB stores are written by Powertools; idemtop only reads and purges them")
    }

    /// The table configuration a `dynamodb://` location names.
    public static func config(_ location: StoreLocation) throws -> DynamoTableConfig {
        do { return try DynamoTableConfig(url: location.path) } catch let e as DynamoError {
            throw StoreError.usage("\(e)")
        }
    }

    /// Runs `body`, turning DynamoDB errors into one-line `StoreError`s that name the table.
    static func wrap<T>(_ location: StoreLocation, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let e as DynamoError {
            switch e {
            case .usage(let m): throw StoreError.usage(m)
            default: throw StoreError.io(path: location.description, why: "\(e)")
            }
        }
    }
}

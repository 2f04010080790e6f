import Foundation
import IdemCore
import IdemStore

/// Opens `dynamodb://` stores, and registers them with `Stores` so every command and the dashboard open them like
/// journals and SQLite files.
public enum DynamoStores {
    /// Registers the DynamoDB reader and admin openers with `StoreOpeners` (idempotent; the executable calls it).
    public static func register() {
        StoreOpeners.shared.register(.dynamodb,
                                     reader: { location, _ in try DynamoReader(location: location) },
                                     admin: { location in try DynamoAdmin(location: location) })
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

import IdemCore
import IdemStore

/// A store the dashboard reads: its location, and how its reader is opened, on the store's own thread.
///
/// A network store (DynamoDB) is opened there, so a server that accepts and never answers shows as a store still
/// loading while the keys answer; a local file is opened before the dashboard starts (`opened`), so a missing or
/// damaged file is one line on stderr instead.
public struct StoreSource: Sendable {
    public let location: StoreLocation
    let open: @Sendable () throws -> any EventReader

    public init(location: StoreLocation, open: @escaping @Sendable () throws -> any EventReader) {
        self.location = location
        self.open = open
    }

    /// A reader opened already; it moves to the store's thread and is touched by no other.
    public static func opened(_ reader: any EventReader) -> StoreSource {
        let box = OpenedReader(reader)
        return StoreSource(location: reader.location, open: { box.reader })
    }

    /// The source for `location`: opened now when its driver opens locally, else on the store's thread.
    public static func of(_ location: StoreLocation, registry: StoreRegistry) throws -> StoreSource {
        let driver = try registry.driver(for: location)
        if driver.opensLocally { return .opened(try driver.reader(location, mode: .readOnly)) }
        return StoreSource(location: location, open: { try driver.reader(location, mode: .readOnly) })
    }
}

/// A reader handed over once to the one thread that uses it from then on (readers are not thread-safe; that
/// single owner is what makes this box sound).
final class OpenedReader: @unchecked Sendable {
    let reader: any EventReader
    init(_ reader: any EventReader) { self.reader = reader }
}

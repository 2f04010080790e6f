import Foundation
import IdemCore

/// One kind of store: it recognises its locations and opens them for reading, for guarded admin actions and, where
/// the kind has one, for the writer API a service calls.
///
/// A new store kind is one driver (in a module of its own when it has its own client) and one line in the registry
/// the app builds (`StoreRegistry`); nothing else names the kinds.
public protocol StoreDriver: Sendable {
    /// The kind's name: what `kind:PATH` forces, what the header shows, what `StoreLocation.kind` holds.
    var kind: String { get }
    /// How a location of this kind is written, for help and for the "cannot tell the kind" message.
    var locationHelp: String { get }
    /// What one malformed entry of this kind is called in a count, e.g. "line(s)", "row(s)", "item(s)".
    var entryNoun: String { get }
    /// True when opening a reader only touches local files (quick, and its errors are best said before the
    /// dashboard starts); false for a network store, which the dashboard opens on the store's own thread so a
    /// server that never answers cannot freeze the keys.
    var opensLocally: Bool { get }

    /// The location `text` names when it is one of this kind's without a `kind:` prefix (a URL scheme, a file
    /// extension), else nil. Throws a usage error for a location of this kind that is wrong (a bad URL option).
    func recognise(_ text: String) throws -> StoreLocation?
    /// The location for `path` after an explicit `kind:` prefix.
    func location(forced path: String) throws -> StoreLocation

    /// A reader over the store; `.readOnly` never writes, creates or locks it for writing.
    func reader(_ location: StoreLocation, mode: OpenMode) throws -> any EventReader
    /// The guarded actions (purge, the audit trail of replays) on an existing store; opens it for writing.
    func admin(_ location: StoreLocation, policy: Policy, clock: any Clock) throws -> any TokenAdmin
    /// The writer API, made when `create` is true and the store does not exist; a usage error for kinds that a
    /// service writes with its own library (DynamoDB).
    func writer(_ location: StoreLocation, policy: Policy, clock: any Clock, create: Bool) throws -> any TokenWriter
    /// How a purge of a token shown with `status` is asked and reported for `location`: what the driver's purge
    /// really does to it. Without network access (a parsed location only); the default is the standard wording
    /// (the token is forgotten).
    func purgeWording(for status: TokenStatus, in location: StoreLocation) -> PurgeWording
}

extension StoreDriver {
    public var opensLocally: Bool { false }

    public func purgeWording(for status: TokenStatus, in location: StoreLocation) -> PurgeWording {
        .standard(for: status)
    }

    public func location(forced path: String) throws -> StoreLocation {
        guard !path.isEmpty else { throw StoreError.usage("'\(kind):' names no path") }
        return StoreLocation(kind: kind, path: path)
    }
}

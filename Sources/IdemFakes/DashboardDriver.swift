import Foundation
import IdemApp
import IdemCore
import IdemStore
import IdemUI

/// Drives the dashboard's real run loop (`AppLoop`) over a real reader on a `TestTerminal`, from a test's thread:
/// type keys, let the loop settle, read the painted screen back.
/// ```
/// let ui = DashboardDriver(reader: store, clock: clock)
/// ui.pump()
/// ui.press(.enter)
/// #expect(ui.screen.contains("── Request"))
/// ```
/// Settling runs the loop's own steps until the store has been read, every answer applied and the frame painted
/// (within a generous deadline, so a loaded machine only makes it slower).
public final class DashboardDriver {
    public let terminal: TestTerminal
    public let loop: AppLoop
    /// How long `settle` waits at most.
    public var deadline: Double = 60

    public init(reader: any EventReader, clock: any Clock, width: Int = 80, height: Int = 24,
                theme: Theme = BuiltinThemes.standard, options: DashboardOptions? = nil,
                registry: StoreRegistry = .files) {
        terminal = TestTerminal(width: width, height: height)
        var o = options ?? DashboardOptions(clock: clock)
        o.clock = clock
        loop = AppLoop(reader: reader, terminal: terminal, theme: theme, options: o, registry: registry)
    }

    deinit { if loop.isRunning { loop.shutDown() } }

    public var state: AppState { loop.state }
    /// The last painted screen, one line per row.
    public var screen: String { terminal.screen }
    public var grid: Grid? { terminal.painted }
    public var copied: [String] { terminal.copied }
    /// True once the loop has stopped (`q`, input closed).
    public var quit: Bool { !loop.isRunning }

    /// Reads everything the store holds now and settles.
    @discardableResult
    public func pump() -> Bool {
        loop.sync()
        return settle()
    }

    /// Types keys and settles.
    @discardableResult
    public func press(_ keys: Key...) -> Bool {
        terminal.enqueue(keys.map { .key($0) })
        return settle()
    }

    /// Types text, one key per character, and settles.
    @discardableResult
    public func type(_ text: String) -> Bool {
        terminal.enqueue(text.map { .key(.char($0)) })
        return settle()
    }

    public func resize(width: Int, height: Int) {
        terminal.resize(width: width, height: height)
        settle()
    }

    /// Steps the loop until it is settled with no input left, or until `until` holds; false at the deadline.
    @discardableResult
    public func settle(until: (() -> Bool)? = nil) -> Bool {
        let end = Date().addingTimeInterval(deadline)
        while loop.isRunning, Date() < end {
            loop.step()
            if let until { if until() { return true } } else if terminal.unread == 0, loop.isSettled { return true }
        }
        return !loop.isRunning
    }
}

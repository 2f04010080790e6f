import Foundation
import IdemTestSupport

/// The Dynamo suites' view of the shared venv (IdemTestSupport's PowertoolsVenv): their driver script.
typealias HarnessError = IdemTestSupport.HarnessError
typealias PowertoolsVenv = IdemTestSupport.PowertoolsVenv

enum DynamoVenv {
    static let driver = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/powertools_driver.py")
}

extension PowertoolsVenv {
    /// Runs the DynamoDB driver with a spec; one parsed JSON object per line it printed.
    static func drive(_ spec: [String: Any]) throws -> [[String: Any]] { try drive(script: DynamoVenv.driver, spec) }

    /// Starts the DynamoDB driver without waiting (for a handler the test kills).
    static func start(_ spec: [String: Any]) throws -> (Process, FileHandle) { try start(script: DynamoVenv.driver, spec) }
}

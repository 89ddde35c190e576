import Foundation

/// Where everything of one local group lives under its directory.
public struct LocalLayout: Sendable {
    public let root: String

    public init(root: String) {
        self.root = URL(fileURLWithPath: root).standardizedFileURL.path
    }

    public var stateFile: String { root + "/state.json" }
    public var statusFile: String { root + "/status.json" }
    /// One JSON object per failover / switchover, newest last.
    public var eventsFile: String { root + "/events.jsonl" }
    public var credentialsFile: String { root + "/credentials.json" }
    public var agentTokenFile: String { root + "/agent.token" }
    public var supervisorPIDFile: String { root + "/supervisor.pid" }
    public var supervisorLog: String { root + "/supervisor.log" }
    /// The fault links' process (groups created with --fault-links): pid, log, the faults the
    /// chaos command asks for, and what the process last applied.
    public var linksPIDFile: String { root + "/links.pid" }
    public var linksLog: String { root + "/links.log" }
    public var linkFaultsFile: String { root + "/link-faults.json" }
    public var linkStatusFile: String { root + "/link-status.json" }
    public func instanceDirectory(_ name: String) -> String { root + "/instances/" + name }
    public func dataDirectory(_ name: String) -> String { instanceDirectory(name) + "/data" }
    public func configFile(_ name: String) -> String { instanceDirectory(name) + "/my.cnf" }
    public func socket(_ name: String) -> String { instanceDirectory(name) + "/mysqld.sock" }
    public func pidFile(_ name: String) -> String { instanceDirectory(name) + "/mysqld.pid" }
    public func errorLog(_ name: String) -> String { instanceDirectory(name) + "/error.log" }
    public func tmpDirectory(_ name: String) -> String { instanceDirectory(name) + "/tmp" }
    public func agentConfigFile(_ name: String) -> String { instanceDirectory(name) + "/agent.json" }
    public func agentLog(_ name: String) -> String { instanceDirectory(name) + "/agent.log" }
    public func agentPIDFile(_ name: String) -> String { instanceDirectory(name) + "/agent.pid" }

    public enum Contents: Equatable { case missing, empty, vigilGroup, somethingElse }

    /// Refuses to take over a directory that holds anything but a Vigil group.
    public func inspect() -> Contents {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: root, isDirectory: &isDir) else { return .missing }
        guard isDir.boolValue else { return .somethingElse }
        let entries = (try? fm.contentsOfDirectory(atPath: root)) ?? []
        if entries.isEmpty { return .empty }
        return entries.contains("state.json") ? .vigilGroup : .somethingElse
    }
}

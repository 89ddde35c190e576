import ArgumentParser
import Foundation
import VigilLocal
import VigilVerify

/// `vigil verify`: a Jepsen-style run against a local group (its own, or `--dir`'s), checked
/// for lost acknowledged writes and split brain, with RTO per fault.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Write through the router while faults are injected; check every acknowledged write survived.")

    @Option(help: "A running local group to use; default: start a temporary one (destroyed afterwards).") var dir: String?
    @Option(help: "Workload: unique-inserts, bank (transfers between accounts) or list-append.") var workload = "unique-inserts"
    @Option(help: "Comma-separated faults: kill-primary, pause-primary, partition-primary, switchover, kill-replica, kill-agent, kill-controller.")
    var faults = "kill-primary,pause-primary,switchover"
    @Option(help: "How long to run: 120, 120s, 2m (one fault per 20 s).") var duration = Seconds(60)
    @Option(help: "Concurrent clients.") var clients = 4
    @Option(help: "Seed of the fault schedule (printed; replays the schedule).") var seed: UInt64?
    @Option(help: "semisync or async (a temporary group only).") var mode = "semisync"
    @Option(help: "First port of a temporary group.") var portBase = 14300
    @Option(help: "Write the JSON report here.") var report: String?
    @Option(help: "Write the SVG timeline here.") var timeline: String?
    @Option(help: "Write the recorded history (every operation, fault and final read) here, as JSON.") var history: String?
    @Flag(help: "Async mode: report losses without failing.") var allowLoss = false
    @Flag(help: "Act as the operator between faults: rebuild every quarantined instance from the primary (logged), so a long run keeps three members.")
    var rebuildQuarantined = false

    func validate() throws {
        guard VerifyWorkload.parse(workload) != nil else {
            throw ValidationError("--workload must be unique-inserts, bank or list-append (got \(workload))")
        }
        let known: Set<String> = ["kill-primary", "pause-primary", "partition-primary", "switchover", "kill-replica", "kill-agent",
                                  "kill-controller"]
        let asked = faults.split(separator: ",").map(String.init)
        guard !asked.isEmpty, asked.allSatisfy(known.contains) else {
            throw ValidationError("--faults takes a comma-separated subset of \(known.sorted().joined(separator: ", "))")
        }
        guard (20...86_400).contains(duration.value) else { throw ValidationError("--duration must be 20 s … 24 h (got \(duration))") }
        guard (1...64).contains(clients) else { throw ValidationError("--clients must be 1…64") }
        guard ["semisync", "async"].contains(mode) else { throw ValidationError("--mode must be semisync or async") }
    }

    func run() async throws {
        let seed = self.seed ?? UInt64.random(in: 1...999_999)
        let own = dir == nil
        let root = dir ?? (NSTemporaryDirectory() + "vigil-verify-\(getpid())")
        let layout = LocalLayout(root: root)
        do {
            if own {
                // Partitions need the fault links; other faults run on the plain topology.
                _ = try await LocalGroup.up(
                    LocalGroup.UpOptions(directory: root, instances: 3, mode: mode, portBase: portBase,
                                         faultLinks: faults.contains("partition-primary")),
                    executable: selfPath()) { _ in }
            }
            let state = try LocalState.load(layout)
            if faults.contains("partition-primary") && !state.spec.faultLinks {
                throw LocalError.usage("partition-primary needs a group with fault links; create it with `vigil local up --fault-links` or let verify start its own")
            }
            let credentials = try JSONDecoder().decode([String: [String: String]].self,
                                                       from: FileManager.default.contents(atPath: layout.credentialsFile) ?? Data())
            // Unbuffered, like the run's progress lines, so it comes first.
            let log: @Sendable (String) -> Void = { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) }
            log("vigil verify: seed \(seed), \(workload), faults \(faults), \(duration), \(clients) clients, \(state.spec.mode == .lossless ? "semisync" : "async"), group \(root)")
            let run = VerifyRun(
                layout: layout, spec: state.spec, workload: VerifyWorkload.parse(workload)!, seed: seed, faults: faults.split(separator: ",").map(String.init),
                duration: duration.duration, clients: clients, appPassword: credentials["app"]?["password"] ?? "",
                adminPassword: credentials["vigil_admin"]?["password"] ?? "", rebuildQuarantined: rebuildQuarantined,
                log: log)
            let history = try await run.execute()
            let checkStart = ContinuousClock.now
            let result = Checker.check(history, options: CheckOptions(allowLoss: allowLoss))
            print("checked \(history.operations.count) operations in \(ContinuousClock.now - checkStart)")
            print(Checker.summary(result, history: history))
            if let report {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                try encoder.encode(result).write(to: URL(fileURLWithPath: report))
            }
            if let timeline { try Timeline.svg(history, report: result).write(toFile: timeline, atomically: true, encoding: .utf8) }
            if let path = self.history {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                try encoder.encode(history).write(to: URL(fileURLWithPath: path))
            }
            if own { try? await LocalGroup.destroy(layout) }
            if !result.verdict.passed { Foundation.exit(1) }
        } catch {
            if own { try? await LocalGroup.destroy(layout) }
            fail(error as? LocalError ?? .failed("verify: \(error)"))
        }
    }
}

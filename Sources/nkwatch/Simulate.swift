import ArgumentParser
import Foundation
import NKWatchCore

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Write MRT archives laid out like RouteViews and RIS from a scenario file.",
        discussion: """
        Writes RouteViews-style collectors (route-views2/bgpdata/2014.12/UPDATES/\
        updates.YYYYMMDD.HHMM.bz2 every 15 min, RIBS/rib.YYYYMMDD.HHMM.bz2 every 2 h) \
        and RIS-style collectors (rrc00/2014.12/updates.YYYYMMDD.HHMM.gz every 5 min, \
        bview.YYYYMMDD.HHMM.gz every 8 h): BGP4MP_MESSAGE_AS4 updates, STATE_CHANGE \
        records and TABLE_DUMP_V2 RIBs, through nkwatch's MRT writer. The same \
        scenario and seed give byte-identical files. Scenario format: docs/simulate.md.

        Examples:
          nkwatch simulate SampleData/kp-2014-12/scenario.json --out SampleData/kp-2014-12
          nkwatch simulate my-scenario.json --out /tmp/archive --seed 7
        """,
        version: nkwatchVersion
    )

    @Argument(help: ArgumentHelp("The scenario (JSON).", valueName: "scenario"))
    var scenario: String

    @Option(help: ArgumentHelp("Folder to write the archives into.", valueName: "dir"))
    var out: String

    @Option(help: ArgumentHelp("Random seed (default: the scenario's).", valueName: "n"))
    var seed: UInt64?

    func run() throws {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: scenario)) } catch {
            throw InputError(description: "\(scenario): cannot read: \(error.localizedDescription)")
        }
        let parsed: Scenario
        do { parsed = try JSONDecoder().decode(Scenario.self, from: data) } catch {
            throw InputError(description: "\(scenario): not a scenario: \(error)")
        }
        let simulator: Simulator
        do { simulator = try Simulator(scenario: parsed, seed: seed) } catch {
            throw InputError(description: "\(scenario): \(error)")
        }
        do {
            let paths = try simulator.write(to: URL(fileURLWithPath: out))
            Stderr.line("wrote \(paths.count) files under \(out)")
        } catch {
            throw OutputError(description: "\(out): cannot write: \(error)")
        }
    }
}

import Foundation
import NKAnalysis

/// The `nkwatch.classification/v1` document (docs/json.md).
public enum ClassificationDocument {
    public static let schema = "nkwatch.classification/v1"

    static func time(_ us: Int64) -> JSON { .string(UTCTime.iso(floorDiv(us, 1_000_000))) }
    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : (a - b + 1) / b }

    public static func parameters(_ p: Parameters) -> JSON {
        .object([
            ("bin_s", .int(p.binSeconds)),
            ("visible_ratio", .number(p.visibleRatio, decimals: 4)),
            ("min_peers", .int(Int64(p.minPeers))),
            ("full_feed_ratio", .number(p.fullFeedRatio, decimals: 4)),
            ("full_feed_min_ipv4", p.fullFeedMinIPv4.map { .int(Int64($0)) } ?? .null),
            ("full_feed_min_ipv6", p.fullFeedMinIPv6.map { .int(Int64($0)) } ?? .null),
            ("settle_s", .int(p.settleSeconds)),
            ("hard_min_s", .int(p.hardMinSeconds)),
            ("isolation_s", .int(p.isolationSeconds)),
            ("min_cluster_episodes", .int(Int64(p.minClusterEpisodes))),
            ("baseline_s", .int(p.baselineSeconds)),
        ])
    }

    public static func episode(_ e: Episode) -> JSON {
        .object([
            ("start", time(e.start)),
            ("end", time(e.end)),
            ("duration_s", .int(Int64(e.durationSeconds.rounded()))),
            ("kind", .string(e.kind)),
            ("label", .string(e.label.rawValue)),
            ("blocks", .array(e.blocks.map { .string($0) })),
            ("peers_down_share", .number(e.peersDownShare, decimals: 4)),
            ("peers_known", .int(Int64(e.peersKnown))),
            ("peers_down", .int(Int64(e.peersDown.count))),
            ("all_down_s", .int(Int64(e.allDownSeconds.rounded()))),
            ("period", e.period.map { .int(Int64($0)) } ?? .null),
            ("after_instability_s", e.afterInstabilitySeconds.map { .int(Int64($0.rounded())) } ?? .null),
            ("churn", .int(Int64(e.churn))),
            ("score", .number(e.score, decimals: 1)),
            ("explanation", .string(e.explanation)),
        ])
    }

    public static func period(_ q: Period) -> JSON {
        .object([
            ("id", .int(Int64(q.id))),
            ("label", .string(q.label.rawValue)),
            ("start", time(q.start)),
            ("end", time(q.end)),
            ("duration_s", .int((q.end - q.start) / 1_000_000)),
            ("episodes", .int(Int64(q.episodes))),
            ("rate_per_hour", .number(q.ratePerHour, decimals: 3)),
            ("downtime_share", .number(q.downtimeShare, decimals: 4)),
            ("median_gap_s", .int(Int64(q.medianGapSeconds.rounded()))),
            ("gap_cv", .number(q.gapCV, decimals: 3)),
            ("longest_episode_s", .int(Int64(q.longestEpisodeSeconds.rounded()))),
            ("churn", .int(Int64(q.churn))),
            ("score", .number(q.score, decimals: 1)),
            ("explanation", .string(q.explanation)),
        ])
    }

    public static func make(_ r: AnalysisResult, scopePrefixes: [String], originASNs: [UInt32], country: String?) -> JSON {
        var scope: [(String, JSON)] = [("prefixes", .array(scopePrefixes.map { .string($0) })),
                                       ("origin_asns", .array(originASNs.map { .int(Int64($0)) }))]
        if let country { scope.append(("country", .string(country))) }
        return .object([
            ("schema", .string(schema)),
            ("scope", .object(scope)),
            ("range", .object([("from", time(r.from)), ("to", time(r.to))])),
            ("parameters", parameters(r.parameters)),
            ("blocks", .array(r.blocks.map { .string($0) })),
            ("peers", .object([("total", .int(Int64(r.peers))), ("eligible", .int(Int64(r.eligiblePeers))),
                               ("collectors", .array(r.collectors.map { .string($0) }))])),
            ("episodes", .array(r.episodes.map(episode))),
            ("periods", .array(r.periods.map(period))),
            ("discounted", .array(r.discounted.map { d in
                .object([("kind", .string(d.kind)), ("what", .string(d.what)), ("start", time(d.start)), ("end", time(d.end))])
            })),
            ("rib_disagreements", .int(Int64(r.ribDisagreements))),
            ("warnings", .array(r.warnings.map { .string($0) })),
            ("verdict", .string(r.verdict)),
        ])
    }
}

/// `classify --expect`: compares a result with a saved classification.
public enum ExpectCheck {
    public struct Mismatch: Sendable { public var lines: [String] }

    static func parseTime(_ s: String) -> Int64? { UTCTime.parse(s) }

    /// Differences a person can read, or an empty list when the verdicts match
    /// (episode times within `tolerance` seconds; labels, kinds and periods equal).
    public static func compare(expected data: Data, actual r: AnalysisResult, tolerance: Int64) throws -> [String] {
        guard let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw CocoaError(.coderReadCorrupt)
        }
        var diffs: [String] = []
        if let schema = obj["schema"] as? String, schema != ClassificationDocument.schema {
            diffs.append("schema: expected \(schema), this nkwatch writes \(ClassificationDocument.schema)")
        }
        let expected = (obj["episodes"] as? [[String: Any]]) ?? []
        var unmatched = Array(r.episodes.indices)
        for (i, e) in expected.enumerated() {
            guard let s = (e["start"] as? String).flatMap(parseTime), let en = (e["end"] as? String).flatMap(parseTime) else {
                diffs.append("expected episode \(i + 1): unreadable start/end")
                continue
            }
            let label = e["label"] as? String ?? "?"
            let kind = e["kind"] as? String ?? "?"
            let desc = "\(label) \(kind) \(UTCTime.iso(s)) → \(UTCTime.iso(en))"
            if let j = unmatched.first(where: { abs(r.episodes[$0].start / 1_000_000 - s) <= tolerance && abs(r.episodes[$0].end / 1_000_000 - en) <= tolerance }) {
                unmatched.removeAll { $0 == j }
                let a = r.episodes[j]
                if a.label.rawValue != label { diffs.append("episode \(desc): label is now \(a.label.rawValue)") }
                if a.kind != kind { diffs.append("episode \(desc): kind is now \(a.kind)") }
            } else if let j = unmatched.min(by: { abs(r.episodes[$0].start / 1_000_000 - s) < abs(r.episodes[$1].start / 1_000_000 - s) }),
                      abs(r.episodes[j].start / 1_000_000 - s) <= 6 * 3600 {
                let a = r.episodes[j]
                unmatched.removeAll { $0 == j }
                diffs.append("episode \(desc) moved: now \(a.label.rawValue) \(a.kind) \(UTCTime.iso(a.start / 1_000_000)) → \(UTCTime.iso(a.end / 1_000_000)) "
                    + "(start \(signed(a.start / 1_000_000 - s)), end \(signed(a.end / 1_000_000 - en)); tolerance \(tolerance) s)")
            } else {
                diffs.append("episode \(desc) is gone")
            }
        }
        for j in unmatched {
            let a = r.episodes[j]
            diffs.append("new episode: \(a.label.rawValue) \(a.kind) \(UTCTime.iso(a.start / 1_000_000)) → \(UTCTime.iso(a.end / 1_000_000))")
        }
        let periods = (obj["periods"] as? [[String: Any]]) ?? []
        if periods.count != r.periods.count {
            diffs.append("continuous-instability periods: expected \(periods.count), found \(r.periods.count)")
        } else {
            for (q, e) in zip(r.periods, periods) {
                if let n = e["episodes"] as? Int, n != q.episodes {
                    diffs.append("period \(q.id): expected \(n) episodes, found \(q.episodes)")
                }
            }
        }
        return diffs
    }

    static func signed(_ v: Int64) -> String { v >= 0 ? "+\(Duration.text(Double(v)))" : "-\(Duration.text(Double(-v)))" }
}

import Foundation
import MRT
import NKAnalysis
import NKModel

/// The `nkwatch.classification/v1` document (docs/json.md).
public enum ClassificationDocument {
    public static let schema = "nkwatch.classification/v1"

    static func time(_ t: Timestamp) -> JSON { .string(t.iso) }

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
            ("hard_extent", .number(p.hardExtent, decimals: 4)),
            ("merge_gap_s", .int(p.mergeGapSeconds)),
            ("isolation_s", .int(p.isolationSeconds)),
            ("min_cluster_episodes", .int(Int64(p.minClusterEpisodes))),
            ("baseline_s", .int(p.baselineSeconds)),
            ("incomplete_rib_ratio", .number(p.incompleteRIBRatio, decimals: 4)),
        ])
    }

    public static func extent(_ x: Extent) -> JSON {
        .object([
            ("blocks_down", .int(Int64(x.blocksDown))),
            ("blocks_routed", .int(Int64(x.blocksRouted))),
            ("slash24_down", .number(x.slash24Down, decimals: 2)),
            ("slash24_routed", .number(x.slash24Routed, decimals: 2)),
            ("space_share", .number(x.spaceShare, decimals: 4)),
        ])
    }

    public static func episode(_ e: Episode, range from: Timestamp) -> JSON {
        .object([
            ("start", time(e.start)),
            ("end", time(e.end)),
            ("duration_s", .int(Int64(e.durationSeconds.rounded()))),
            ("ongoing", .bool(e.ongoing)),
            ("started_before_range", .bool(e.start < from)),
            ("kind", .string(e.kind.rawValue)),
            ("label", .string(e.label.rawValue)),
            ("extent", extent(e.extent)),
            ("hard_s", .int(Int64(e.hardSeconds.rounded()))),
            ("blocks", .strings(e.blocks.map(\.description))),
            ("peers_down_share", .number(e.peersDownShare, decimals: 4)),
            ("peers_known", .int(Int64(e.peersKnown))),
            ("peers_down", .int(Int64(e.peersDown.count))),
            ("all_down_s", .int(Int64(e.allDownSeconds.rounded()))),
            ("period", e.period.map { .int(Int64($0)) } ?? .null),
            ("follows_period", e.followsPeriod.map { .int(Int64($0)) } ?? .null),
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
            ("duration_s", .int(q.end.seconds - q.start.seconds)),
            ("episodes", .int(Int64(q.episodes))),
            ("rate_per_hour", .number(q.ratePerHour, decimals: 3)),
            ("downtime_share", .number(q.downtimeShare, decimals: 4)),
            ("median_gap_s", .int(Int64(q.medianGapSeconds.rounded()))),
            ("gap_cv", .number(q.gapCV, decimals: 3)),
            ("longest_episode_s", .int(Int64(q.longestEpisodeSeconds.rounded()))),
            ("churn", .int(Int64(q.churn))),
            ("score", .number(q.score, decimals: 1)),
            ("trend", trend(q.trend)),
            ("explanation", .string(q.explanation)),
        ])
    }

    public static func trend(_ t: Trend) -> JSON {
        func third(_ x: TrendThird) -> JSON {
            .object([("rate_per_hour", .number(x.ratePerHour, decimals: 3)), ("longest_episode_s", .int(Int64(x.longestSeconds.rounded()))),
                     ("downtime_share", .number(x.downtimeShare, decimals: 4))])
        }
        return .object([
            ("direction", .string(t.direction.rawValue)),
            ("first_third", third(t.first)),
            ("middle_third", third(t.middle)),
            ("last_third", third(t.last)),
            ("kendall_tau_length", .number(t.tauLength, decimals: 3)),
            ("kendall_tau_gap", .number(t.tauGap, decimals: 3)),
            ("text", .string(t.text)),
        ])
    }

    /// The routed blocks grouped by origin ASN and by allocation (scope prefix).
    public static func groups(_ r: AnalysisResult) -> JSON {
        .object([
            ("origin_asns", .array(BlockGroups.byOrigin(r).map { g in
                .object([("origin_asn", g.origin.map { .int(Int64($0)) } ?? .null), ("blocks", .int(Int64(g.blocks.count))),
                         ("slash24", .number(g.slash24, decimals: 2))])
            })),
            ("allocations", .array(BlockGroups.byAllocation(r).map { g in
                .object([("prefix", g.allocation.map { .string($0.description) } ?? .null), ("blocks", .int(Int64(g.blocks.count))),
                         ("slash24", .number(g.slash24, decimals: 2))])
            })),
        ])
    }

    public static func make(_ r: AnalysisResult, scope: Scope) -> JSON {
        var scopeFields: [(String, JSON)] = [("prefixes", .strings(scope.prefixes.map(\.description))),
                                             ("origin_asns", .array(scope.originASNs.sorted().map { .int(Int64($0)) }))]
        if let country = scope.country { scopeFields.append(("country", .string(country))) }
        return .object([("schema", .string(schema))] + BuildInfo.documentFields + [
            ("scope", .object(scopeFields)),
            ("range", .object([("from", time(r.from)), ("to", time(r.to))])),
            ("parameters", parameters(r.parameters)),
            ("blocks", .strings(r.blocks.map(\.description))),
            ("block_origins", .array(r.blockOrigins.map { $0.map { .int(Int64($0)) } ?? .null })),
            ("groups", groups(r)),
            ("never_routed", .strings(r.neverRouted.map(\.description))),
            ("unknown_blocks", .strings(r.unknownBlocks.map(\.description))),
            ("data_end", r.dataEnd.map(time) ?? .null),
            ("bin_merges", .int(Int64(r.binMerges))),
            ("peers", .object([("total", .int(Int64(r.peers))), ("eligible", .int(Int64(r.eligiblePeers))),
                               ("collectors", .strings(r.collectors))])),
            ("episodes", .array(r.episodes.map { episode($0, range: r.from) })),
            ("periods", .array(r.periods.map(period))),
            ("discounted", .array(r.discounted.map { d in
                .object([("kind", .string(d.kind.rawValue)), ("what", .string(d.what)), ("start", time(d.start)), ("end", time(d.end)),
                     ("detail", d.detail.map { .string($0) } ?? .null)])
            })),
            ("rib_disagreements", .int(Int64(r.ribDisagreements))),
            ("warnings", .strings(r.warnings)),
            ("verdict", .string(r.verdict)),
        ])
    }
}

/// `classify --expect`: compares a result with a saved classification.
public enum ExpectCheck {
    static func parseTime(_ s: String) -> Int64? { Timestamp(parsing: s)?.seconds }

    /// Differences a person can read, or an empty list when the verdicts match
    /// (episode times within `tolerance` seconds; labels, kinds and periods equal).
    /// Why `data` is not a saved classification (`classify --format json`),
    /// or nil when it is one: so that a wrong file given to `--expect` is a
    /// usage error, not a long diff that looks like a regression.
    public static func problem(expected data: Data) -> String? {
        guard let any = try? JSON.parse(data) else { return "not JSON" }
        guard let obj = any as? [String: Any] else { return "not a JSON object" }
        guard let schema = obj["schema"] as? String else { return "no \"schema\" key" }
        guard schema == ClassificationDocument.schema else { return "its schema is \(schema)" }
        guard obj["episodes"] is [Any], obj["periods"] is [Any] else { return "no \"episodes\" and \"periods\" arrays" }
        return nil
    }

    /// The number of episodes a saved classification holds.
    public static func episodeCount(expected data: Data) -> Int {
        ((try? JSON.parse(data) as? [String: Any])?["episodes"] as? [Any])?.count ?? 0
    }

    public static func compare(expected data: Data, actual r: AnalysisResult, tolerance: Int64) throws -> [String] {
        guard let obj = try JSON.parse(data) as? [String: Any] else {
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
            let desc = "\(label) \(kind) \(Timestamp(seconds: s).iso) → \(Timestamp(seconds: en).iso)"
            if let j = unmatched.first(where: { abs(r.episodes[$0].start.seconds - s) <= tolerance && abs(r.episodes[$0].end.seconds - en) <= tolerance }) {
                unmatched.removeAll { $0 == j }
                let a = r.episodes[j]
                if a.label.rawValue != label { diffs.append("episode \(desc): label is now \(a.label.rawValue)") }
                if a.kind.rawValue != kind { diffs.append("episode \(desc): kind is now \(a.kind.rawValue)") }
                if let ongoing = e["ongoing"] as? Bool, ongoing != a.ongoing {
                    diffs.append("episode \(desc): \(a.ongoing ? "now ongoing" : "no longer ongoing")")
                }
                if let x = e["extent"] as? [String: Any], let down = x["blocks_down"] as? Int, let routed = x["blocks_routed"] as? Int,
                   down != a.extent.blocksDown || routed != a.extent.blocksRouted {
                    diffs.append("episode \(desc): extent was \(down) of \(routed) blocks, now \(a.extent.blocksDown) of \(a.extent.blocksRouted)")
                }
            } else if let j = unmatched.min(by: { abs(r.episodes[$0].start.seconds - s) < abs(r.episodes[$1].start.seconds - s) }),
                      abs(r.episodes[j].start.seconds - s) <= 6 * 3600 {
                let a = r.episodes[j]
                unmatched.removeAll { $0 == j }
                diffs.append("episode \(desc) moved: now \(a.label.rawValue) \(a.kind.rawValue) \(a.start.iso) → \(a.end.iso) "
                    + "(start \(signed(a.start.seconds - s)), end \(signed(a.end.seconds - en)); tolerance \(tolerance) s)")
            } else {
                diffs.append("episode \(desc) is gone")
            }
        }
        for j in unmatched {
            let a = r.episodes[j]
            diffs.append("new episode: \(a.label.rawValue) \(a.kind.rawValue) \(a.start.iso) → \(a.end.iso)")
        }
        let periods = (obj["periods"] as? [[String: Any]]) ?? []
        if periods.count != r.periods.count {
            diffs.append("continuous-instability periods: expected \(periods.count), found \(r.periods.count)")
        } else {
            for (q, e) in zip(r.periods, periods) {
                if let n = e["episodes"] as? Int, n != q.episodes {
                    diffs.append("period \(q.id): expected \(n) episodes, found \(q.episodes)")
                }
                if let t = e["trend"] as? [String: Any], let direction = t["direction"] as? String, direction != q.trend.direction.rawValue {
                    diffs.append("period \(q.id): trend was \(direction), now \(q.trend.direction.rawValue)")
                }
            }
        }
        if let never = obj["never_routed"] as? [String], never != r.neverRouted.map(\.description) {
            diffs.append("never-routed blocks: expected \(never.count) (\(never.prefix(4).joined(separator: ", "))), found \(r.neverRouted.count) "
                + "(\(r.neverRouted.prefix(4).map(\.description).joined(separator: ", ")))")
        }
        return diffs
    }

    static func signed(_ v: Int64) -> String { v >= 0 ? "+\(DurationText.prose(v))" : "-\(DurationText.prose(-v))" }
}

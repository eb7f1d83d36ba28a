import type { StrategyDef } from "./define.js";
import { cookieInsert } from "./cookie-insert.js";
import { haproxyStickTable } from "./haproxy-stick-table.js";
import { haproxySource } from "./haproxy-source.js";
import { haproxySourceBounded } from "./haproxy-source-bounded.js";
import { haproxySourceConsistent } from "./haproxy-source-consistent.js";
import { nginxIpHash } from "./nginx-ip-hash.js";
import { nginxHash } from "./nginx-hash.js";
import { nginxHashConsistent } from "./nginx-hash-consistent.js";
import { nginxStickyCookie } from "./nginx-sticky-cookie.js";
import { roundRobin } from "./round-robin.js";
import { sharedStore } from "./shared-store.js";
import { clientToken } from "./client-token.js";
import { albLbCookie } from "./alb-lb-cookie.js";
import { albAppCookie } from "./alb-app-cookie.js";
import { elbLbCookie } from "./elb-lb-cookie.js";
import { ingressNginxAffinity } from "./ingress-nginx-affinity.js";
import { urlParam } from "./url-param.js";
import { chain } from "./chain.js";
import { ringHash } from "./ring-hash.js";
import { maglev } from "./maglev.js";
import { jumpHashStrategy } from "./jump-hash.js";
import { rendezvous } from "./rendezvous.js";
import { boundedLoad } from "./bounded-load.js";
import { weightedRandom } from "./random.js";
import { leastConnections } from "./least-connections.js";
import { leastRequestP2c } from "./least-request-p2c.js";
import { k8sClientIp } from "./k8s-client-ip.js";
import { nodeCluster } from "./node-cluster.js";

/** Every strategy lbsim knows. Adding one is a file in this folder plus a line here. */
export const strategies: readonly StrategyDef<any, any>[] = [roundRobin, weightedRandom, leastConnections, leastRequestP2c, k8sClientIp, nodeCluster, nginxIpHash, nginxHash, nginxHashConsistent, nginxStickyCookie, cookieInsert, haproxyStickTable, haproxySource, haproxySourceConsistent, haproxySourceBounded, ringHash, maglev, jumpHashStrategy, rendezvous, boundedLoad, albLbCookie, albAppCookie, elbLbCookie, ingressNginxAffinity, urlParam, chain, sharedStore, clientToken];

export function findStrategy(id: string): StrategyDef<any, any> | undefined {
  return strategies.find((s) => s.id === id);
}

export type { PoolChange, PoolView, Replica, RoutingView, Strategy, StrategyDef } from "./define.js";

import { FaultInjector } from './faults';
import { GenerationTracker } from './generation';
import { TokenService } from './oauth';
import { RateLimiter } from './rate-limiter';
import type { Scenario } from './scenario';
import { SignedLinks } from './signed-links';
import { StatsRecorder } from './stats';
import { World } from './world';

/** Everything one running simulator holds: the world, its services and their state. */
export class SimulatorContext {
  readonly world: World;
  readonly faults: FaultInjector;
  readonly tokens: TokenService;
  readonly limiter: RateLimiter;
  readonly generation: GenerationTracker;
  readonly links: SignedLinks;
  readonly stats = new StatsRecorder();
  /** Number of /api/v2 and /api/v3 requests received so far (the fault schedule's call numbers). */
  apiCalls = 0;
  /** Set once the server listens, e.g. http://127.0.0.1:8080 */
  baseUrl = 'http://127.0.0.1';
  /** Where signed links point, when not at `baseUrl`. */
  mediaBaseUrl?: string;

  constructor(
    readonly scenario: Scenario,
    readonly log?: (line: string) => void,
  ) {
    this.world = new World(scenario);
    this.faults = new FaultInjector(scenario.faults);
    this.tokens = new TokenService(scenario, () => `${this.baseUrl}/oauth2/default`);
    this.limiter = new RateLimiter(scenario.rateLimit);
    this.generation = new GenerationTracker(scenario.generation.generatingMs, this.faults);
    this.links = new SignedLinks(scenario.seed);
  }
}

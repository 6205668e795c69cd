// The shape docker accepts for a version 3 stack file (docker/cli's config_schema_v3.13.json),
// written as data for validate.ts. Keys docker's schema refuses are refused here too.

export type Schema =
  | {
      type: SchemaType | SchemaType[];
      desc?: string;
      props?: Record<string, Schema>;
      pattern?: [RegExp, Schema][];
      extra?: boolean | Schema;
      items?: Schema;
      required?: string[];
      enum?: string[];
    }
  | { oneOf: Schema[]; desc: string };

export type SchemaType = 'string' | 'integer' | 'number' | 'boolean' | 'null' | 'object' | 'array';

const str: Schema = { type: 'string' };
const int: Schema = { type: 'integer' };
const num: Schema = { type: 'number' };
const bool: Schema = { type: 'boolean' };
const any: Schema = { type: ['string', 'integer', 'number', 'boolean', 'null', 'object', 'array'] };
const duration: Schema = { type: 'string', desc: 'a duration string (e.g. 1m30s)' };
const xExt: [RegExp, Schema][] = [[/^x-/, any]];
const obj = (
  props: Record<string, Schema>,
  extra: boolean | Schema = false,
  more: Partial<{ pattern: [RegExp, Schema][]; required: string[]; type: SchemaType[] }> = {},
): Schema => ({
  type: more.type ?? 'object',
  props,
  extra,
  ...(more.pattern ? { pattern: more.pattern } : {}),
  ...(more.required ? { required: more.required } : {}),
});
const listOfStrings: Schema = { type: 'array', items: str };
const stringOrList: Schema = { oneOf: [str, listOfStrings], desc: 'a string or a list of strings' };
const listOrDict: Schema = {
  oneOf: [
    {
      type: 'object',
      extra: { type: ['string', 'number', 'integer', 'null'], desc: 'a string, number or null' },
    },
    listOfStrings,
  ],
  desc: 'a mapping or a list of strings',
};
const strOrNum: Schema = { type: ['string', 'number', 'integer'] };
const driverOpts: Schema = { type: 'object', extra: strOrNum };
const commandLike: Schema = { oneOf: [str, listOfStrings], desc: 'a string or a list of strings' };
const fileRef: Schema = {
  oneOf: [str, obj({ source: str, target: str, uid: str, gid: str, mode: num }, true)],
  desc: 'a name or a mapping with source/target/uid/gid/mode',
};
const updateConfig = obj({
  parallelism: int,
  delay: duration,
  failure_action: str,
  monitor: duration,
  max_failure_ratio: num,
  order: { type: 'string', enum: ['start-first', 'stop-first'] },
});
const external: Schema = { type: ['boolean', 'object'], props: { name: str }, extra: false };

const deployment = obj(
  {
    mode: str,
    endpoint_mode: str,
    replicas: int,
    labels: listOrDict,
    rollback_config: updateConfig,
    update_config: updateConfig,
    resources: obj({
      limits: obj({ cpus: str, memory: str, pids: int }),
      reservations: obj({
        cpus: str,
        memory: str,
        generic_resources: {
          type: 'array',
          items: obj({ discrete_resource_spec: obj({ kind: str, value: num }) }),
        },
      }),
    }),
    restart_policy: obj({ condition: str, delay: duration, max_attempts: int, window: duration }),
    placement: obj({
      constraints: { type: 'array', items: str },
      preferences: { type: 'array', items: obj({ spread: str }) },
      max_replicas_per_node: int,
    }),
  },
  false,
  { type: ['object', 'null'] },
);

const service = obj(
  {
    deploy: deployment,
    build: {
      oneOf: [
        str,
        obj(
          {
            context: str,
            dockerfile: str,
            args: listOrDict,
            labels: listOrDict,
            cache_from: listOfStrings,
            network: str,
            target: str,
            shm_size: { type: ['integer', 'string'] },
            extra_hosts: listOrDict,
          },
          true,
        ),
      ],
      desc: 'a string or a mapping',
    },
    cap_add: listOfStrings,
    cap_drop: listOfStrings,
    cgroupns_mode: str,
    cgroup_parent: str,
    command: commandLike,
    configs: { type: 'array', items: fileRef },
    container_name: str,
    credential_spec: obj({ config: str, file: str, registry: str }),
    depends_on: listOfStrings,
    devices: listOfStrings,
    dns: stringOrList,
    dns_opt: listOfStrings,
    dns_search: stringOrList,
    domainname: str,
    entrypoint: commandLike,
    env_file: stringOrList,
    environment: listOrDict,
    expose: { type: 'array', items: strOrNum },
    external_links: listOfStrings,
    extra_hosts: listOrDict,
    group_add: { type: 'array', items: strOrNum },
    healthcheck: obj({
      disable: bool,
      interval: duration,
      retries: num,
      test: commandLike,
      timeout: duration,
      start_period: duration,
      start_interval: duration,
    }),
    hostname: str,
    image: str,
    init: bool,
    ipc: str,
    isolation: str,
    labels: listOrDict,
    links: listOfStrings,
    logging: obj({
      driver: str,
      options: { type: 'object', extra: { type: ['string', 'number', 'integer', 'null'] } },
    }),
    mac_address: str,
    network_mode: str,
    networks: {
      oneOf: [
        listOfStrings,
        {
          type: 'object',
          pattern: [
            [
              /^[a-zA-Z0-9._-]+$/,
              {
                oneOf: [
                  obj({
                    aliases: listOfStrings,
                    driver_opts: driverOpts,
                    ipv4_address: str,
                    ipv6_address: str,
                  }),
                  { type: 'null' },
                ],
                desc: 'a mapping (aliases, ipv4_address, ...) or null',
              },
            ],
          ],
          extra: false,
        },
      ],
      desc: 'a list of network names or a mapping',
    },
    pid: { type: ['string', 'null'] },
    ports: {
      type: 'array',
      items: {
        oneOf: [
          { type: ['number', 'integer'] },
          str,
          obj({ mode: str, target: int, published: int, protocol: str }),
        ],
        desc: 'a port number, a "[host:]published:target[/protocol]" string or a mapping',
      },
    },
    privileged: bool,
    read_only: bool,
    restart: str,
    security_opt: listOfStrings,
    shm_size: { type: ['number', 'integer', 'string'] },
    secrets: { type: 'array', items: fileRef },
    sysctls: listOrDict,
    stdin_open: bool,
    stop_grace_period: duration,
    stop_signal: str,
    tmpfs: stringOrList,
    tty: bool,
    ulimits: {
      type: 'object',
      pattern: [
        [
          /^[a-z]+$/,
          {
            oneOf: [int, obj({ hard: int, soft: int }, false, { required: ['soft', 'hard'] })],
            desc: 'an integer or a mapping with soft and hard',
          },
        ],
      ],
    },
    oom_score_adj: int,
    user: str,
    userns_mode: str,
    volumes: {
      type: 'array',
      items: {
        oneOf: [
          str,
          obj(
            {
              type: str,
              source: str,
              target: str,
              read_only: bool,
              consistency: str,
              bind: obj({ propagation: str }, true),
              volume: obj({ nocopy: bool }, true),
              tmpfs: obj({ size: int }, true),
            },
            false,
            { required: ['type'] },
          ),
        ],
        desc: 'a "source:target[:mode]" string or a mapping with a type',
      },
    },
    working_dir: str,
  },
  false,
  { pattern: xExt },
);

const network = obj(
  {
    name: str,
    driver: str,
    driver_opts: driverOpts,
    ipam: obj({ driver: str, config: { type: 'array', items: obj({ subnet: str }) } }),
    external,
    internal: bool,
    attachable: bool,
    labels: listOrDict,
  },
  false,
  { type: ['object', 'null'], pattern: xExt },
);

const volume = obj(
  {
    name: str,
    driver: str,
    driver_opts: driverOpts,
    external,
    labels: listOrDict,
    'x-cluster-spec': { type: 'object', extra: true },
  },
  false,
  { type: ['object', 'null'], pattern: xExt },
);

const fileObject = (withDriver: boolean) =>
  obj(
    {
      name: str,
      file: str,
      environment: str,
      external: { type: ['boolean', 'object'], props: { name: str }, extra: true },
      labels: listOrDict,
      ...(withDriver ? { driver: str, driver_opts: driverOpts } : {}),
      template_driver: str,
    },
    false,
    { pattern: xExt },
  );

const named = (s: Schema, closed = true): Schema => ({
  type: 'object',
  pattern: [[/^[a-zA-Z0-9._-]+$/, s]],
  extra: closed ? false : true,
});

export const stackSchema: Schema = obj(
  {
    version: str,
    services: named(service),
    networks: named(network, false),
    volumes: named(volume),
    secrets: named(fileObject(true)),
    configs: named(fileObject(false)),
  },
  false,
  { pattern: xExt },
);

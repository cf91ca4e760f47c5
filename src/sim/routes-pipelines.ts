import { DATED_VERSIONS, type ApiVersion } from './api-versions.js';
import { json, notFound, type HttpReply } from './error-bodies.js';
import { pipelineJson, stageJson } from './pipelines.js';
import { isReply, resolveTypeParam, routePattern, type Route, type RouteContext } from './route-types.js';

/**
 * Pipelines (`pipelines.json`, v3 and the dated `/crm/pipelines/{version}`): every live pipeline of a type with
 * its live stages, unpaged; one pipeline, its stages, one stage. An archived pipeline answers 404 ("that ID must
 * correspond to an existing, un-archived pipeline", the spec's info), and archived stages are left out, while
 * records may still point at both (`pipelines.ts`). A type without pipelines lists none.
 */

function pipelinesOf(ctx: RouteContext): ReturnType<RouteContext['portal']['pipelines']> | HttpReply {
  const resolved = resolveTypeParam(ctx, ctx.params.type);
  if (isReply(resolved)) return resolved;
  return ctx.portal.pipelines(resolved.type);
}

function list(ctx: RouteContext): HttpReply {
  const pipelines = pipelinesOf(ctx);
  if (isReply(pipelines)) return pipelines;
  const live = pipelines.filter((p) => p.archivedAt === undefined);
  return json(200, { results: live.map((p) => pipelineJson(p, false)) });
}

function onePipeline(ctx: RouteContext) {
  const pipelines = pipelinesOf(ctx);
  if (isReply(pipelines)) return pipelines;
  const pipeline = pipelines.find((p) => p.id === ctx.params.pipelineId && p.archivedAt === undefined);
  return pipeline ?? notFound(`Unable to find pipeline ${ctx.params.pipelineId}`);
}

function getPipeline(ctx: RouteContext): HttpReply {
  const pipeline = onePipeline(ctx);
  return isReply(pipeline) ? pipeline : json(200, pipelineJson(pipeline, false));
}

function stages(ctx: RouteContext): HttpReply {
  const pipeline = onePipeline(ctx);
  if (isReply(pipeline)) return pipeline;
  return json(200, { results: pipeline.stages.filter((s) => s.archivedAt === undefined).map(stageJson) });
}

function getStage(ctx: RouteContext): HttpReply {
  const pipeline = onePipeline(ctx);
  if (isReply(pipeline)) return pipeline;
  const stage = pipeline.stages.find((s) => s.id === ctx.params.stageId && s.archivedAt === undefined);
  return stage ? json(200, stageJson(stage)) : notFound(`Unable to find stage ${ctx.params.stageId} in pipeline ${pipeline.id}`);
}

function pipelineRoutesAt(version: ApiVersion): Route[] {
  const base = version === 'numbered' ? '/crm/v3/pipelines' : `/crm/pipelines/${version}`;
  return [
    { method: 'GET', pattern: routePattern(`${base}/:type`), kind: 'standard', handle: list },
    { method: 'GET', pattern: routePattern(`${base}/:type/:pipelineId`), kind: 'standard', handle: getPipeline },
    { method: 'GET', pattern: routePattern(`${base}/:type/:pipelineId/stages`), kind: 'standard', handle: stages },
    { method: 'GET', pattern: routePattern(`${base}/:type/:pipelineId/stages/:stageId`), kind: 'standard', handle: getStage },
  ];
}

export const pipelineRoutes: Route[] = [pipelineRoutesAt('numbered'), ...DATED_VERSIONS.map(pipelineRoutesAt)].flat();

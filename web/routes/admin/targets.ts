// /admin/targets: the targets of the principal's part of the tree, a new target, one target's versions,
// a revision, and the cascade of a target to the children (previewed, then confirmed).
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { LEVELS, PLATFORM_GROUPS, POST_PLATFORM_GROUPS } from '../../../src/config';
import { STANDARD_MEASURES } from '../../../src/domain/publications';
import { MAX_COUNT } from '../../../src/domain/ranges';
import { addStandardVersion, allStandardVersions, currentStandards } from '../../../src/publications/standards-store';
import { langOf } from '../../context';
import { editableOrgIds, ForbiddenError } from '../../../src/admin/scope';
import { CASCADE_BASES, listTargets, planCascade, planKey, reviseTarget, saveCascade, setTarget, targetVersions, type TargetValue } from '../../../src/admin/targets';
import { childrenOf, editableTree } from '../../../src/admin/tree';
import * as F from '../../fields';
import type { AdminKit } from './kit';

/** A target's value: an absolute figure, or a percentage of growth over the frozen baseline. */
const value = { mode: F.oneOf(['absolute', 'percent'] as const), value: F.raw(20), hold: F.flag() };
const decision = F.text({ required: true, max: F.MAX_DECISION });

/** `hold`: a value at or below the baseline, confirmed as keeping the level (src/domain/targets targetLevelProblem). */
function targetValue(f: { mode: 'absolute' | 'percent'; value: string; hold: boolean }): TargetValue {
  const hold = f.hold ? { hold: true } : {};
  return f.mode === 'absolute'
    ? { target: F.parseFields(z.object({ value: F.int({ required: true, max: MAX_COUNT }) }), f).value, ...hold }
    : { target_percent: F.parseFields(z.object({ value: F.decimal({ min: -100, max: 100_000 }) }), f).value, ...hold };
}

export function targetsRouter(kit: AdminKit): Router {
  const router = Router();
  const { db } = kit.ctx;

  const showTargets = (req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) => {
    const p = kit.who(res);
    const q = F.parseFields(z.object({ org: F.raw(100) }), req.query).org;
    const filterOrg = q === '' ? undefined : kit.editableOrg(res, q, 'org');
    const targets = listTargets(db, filterOrg ? new Set([filterOrg.id]) : editableOrgIds(db, p));
    kit.show(
      req,
      res,
      'admin-targets.njk',
      {
        section: 'targets',
        targets,
        filterOrg,
        orgs: editableTree(db, p),
        platforms: PLATFORM_GROUPS,
        values: { org: filterOrg?.slug, baseline_date: kit.ctx.today() },
        ...standardsView(res),
        ...extra,
        // the standards form keeps its own values when it is the one re-shown
        standardValues: standardValuesOf(extra.standardValues as Record<string, unknown> | undefined),
      },
      status,
    );
  };
  const standardValuesOf = (typed: Record<string, unknown> | undefined) => {
    const v = typed ?? { valid_from: kit.ctx.today(), platform: 'social', measure: 'posts_per_week' };
    return { ...v, rubrics: ([] as unknown[]).concat(v.rubrics ?? []).filter((r) => typeof r === 'string') };
  };
  // Standards of information work (DESIGN §11), set by the committee: an admin adds a version here; everyone
  // who sees this page sees them with their history.
  const standardsView = (res: Response) => {
    const lang = langOf(res);
    return {
      standards: currentStandards(db, { withRetired: true }),
      standardHistory: allStandardVersions(db),
      standardMeasures: STANDARD_MEASURES,
      postGroups: POST_PLATFORM_GROUPS,
      levels: LEVELS,
      rubricChoices: kit.ctx.config.rubrics.map((r) => ({ slug: r.slug, name: r.name[lang] ?? r.name.ru })),
      rubricNames: Object.fromEntries(kit.ctx.config.rubrics.map((r) => [r.slug, r.name[lang] ?? r.name.ru])),
      canSetStandards: kit.who(res).role === 'admin',
    };
  };
  router.get('/targets', (req, res) => showTargets(req, res));
  router.post(
    '/targets',
    kit.action((req, res) => {
      const f = kit.form(req, { org: F.slug(), platform: F.platformGroup(), baseline_date: F.date(), due_date: F.date(), ...value, decision });
      const org = kit.editableOrg(res, f.org, 'org');
      const id = setTarget(db, kit.actor(res), { org, platform: f.platform, baseline_date: f.baseline_date, due_date: f.due_date, value: targetValue(f), decision: f.decision });
      res.redirect(303, `/admin/targets/${id}?done=target_set`);
    }, showTargets),
  );

  router.post(
    '/standards',
    kit.action(
      (req, res) => {
        if (kit.who(res).role !== 'admin') throw new ForbiddenError('only an admin sets the standards of information work');
        const slugs = kit.ctx.config.rubrics.map((r) => r.slug);
        const f = kit.form(req, {
          level: F.level(),
          platform: F.oneOf(POST_PLATFORM_GROUPS),
          measure: F.oneOf(STANDARD_MEASURES),
          threshold: F.decimal(),
          rubrics: F.someOf(slugs),
          decision,
          valid_from: F.date(),
        });
        const added = addStandardVersion(db, kit.actor(res), { ...f, rubrics: f.measure === 'rubric_share' ? f.rubrics : [] }, slugs);
        res.redirect(303, `/admin/targets?done=${added ? 'standard_set' : 'unchanged'}#standards`);
      },
      (req, res, extra = {}, status) => {
        const { values, formError, ...rest } = extra;
        showTargets(req, res, { ...rest, standardValues: values, standardError: formError }, status);
      },
    ),
  );

  const showTarget = (req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) => {
    const target = kit.editableTarget(res, req.params.id);
    kit.show(req, res, 'admin-target.njk', { section: 'targets', target, versions: targetVersions(db, target.id), children: childrenOf(db, target.org_id).length, bases: CASCADE_BASES, values: {}, ...extra }, status);
  };
  router.get('/targets/:id', (req, res) => showTarget(req, res));
  router.post(
    '/targets/:id/revise',
    kit.action((req, res) => {
      const target = kit.editableTarget(res, req.params.id);
      const f = kit.form(req, { ...value, decision });
      const changed = reviseTarget(db, kit.actor(res), target, targetValue(f), f.decision);
      res.redirect(303, `/admin/targets/${target.id}?done=${changed ? 'revised' : 'unchanged'}`);
    }, showTarget),
  );
  router.post(
    '/targets/:id/cascade',
    kit.action((req, res) => {
      const target = kit.editableTarget(res, req.params.id);
      const f = kit.form(req, { basis: F.oneOf(CASCADE_BASES), confirm: F.flag(), key: F.raw(20_000) });
      const plan = planCascade(db, target, f.basis, kit.ctx.today());
      const key = planKey(plan);
      if (!f.confirm) return showTarget(req, res, { plan, planKey: key });
      // The plan confirmed must be the one previewed: the tree or the audiences may have changed since.
      if (f.key !== key) return showTarget(req, res, { plan, planKey: key, planChanged: true });
      saveCascade(db, kit.actor(res), plan);
      res.redirect(303, `/admin/targets/${target.id}?done=cascaded`);
    }, showTarget),
  );
  return router;
}

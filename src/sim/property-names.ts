import { TICKET_STAGES } from './pipelines.js';
import type { StandardType } from './schema.js';

/**
 * HubSpot's default (hubspotDefined) property names per object type, as real portals list them through the
 * properties API, in a compact notation: `name` is a string/text property, `name:TF` gives the type (T) and the
 * field type (F) by one letter each (codes below). Families HubSpot derives from pipeline stages are expanded by
 * `stageFamilies`. Names are facts read from public material (exports of real portals' property lists in public
 * repositories, connector schemas); nothing here is copied code. `property-catalog.ts` turns them into full
 * definitions and tops each type up to a realistic count with generated `hs_*` names.
 */

export const TYPE_CODES = {
  s: 'string',
  n: 'number',
  d: 'date',
  t: 'datetime',
  e: 'enumeration',
  b: 'bool',
  p: 'phone_number',
  o: 'object_coordinates',
} as const;

export const FIELD_TYPE_CODES = {
  t: 'text',
  a: 'textarea',
  n: 'number',
  d: 'date',
  s: 'select',
  r: 'radio',
  c: 'checkbox',
  b: 'booleancheckbox',
  q: 'calculation_equation',
  u: 'calculation_rollup',
  k: 'calculation_read_time',
  x: 'calculation_score',
  p: 'phonenumber',
  h: 'html',
  f: 'file',
} as const;

export type PropertyType = (typeof TYPE_CODES)[keyof typeof TYPE_CODES];
export type FieldType = (typeof FIELD_TYPE_CODES)[keyof typeof FIELD_TYPE_CODES];

export interface NamedProperty {
  name: string;
  type: PropertyType;
  fieldType: FieldType;
  /** Set for stage families, whose labels HubSpot writes from the stage's name. */
  label?: string;
}

export function parseNames(compact: string): NamedProperty[] {
  return compact
    .split(/\s+/)
    .filter((token) => token.length > 0)
    .map((token) => {
      const [name, codes = 'st'] = token.split(':');
      const type = TYPE_CODES[codes[0] as keyof typeof TYPE_CODES];
      const fieldType = FIELD_TYPE_CODES[codes[1] as keyof typeof FIELD_TYPE_CODES];
      if (!type || !fieldType) throw new Error(`bad property token ${token}`);
      return { name, type, fieldType };
    });
}

const LIFECYCLE_STAGES: Array<[string, string]> = [
  ['customer', 'Customer'],
  ['evangelist', 'Evangelist'],
  ['lead', 'Lead'],
  ['marketingqualifiedlead', 'Marketing Qualified Lead'],
  ['opportunity', 'Opportunity'],
  ['other', 'Other'],
  ['salesqualifiedlead', 'Sales Qualified Lead'],
  ['subscriber', 'Subscriber'],
];

const DEAL_STAGES: Array<[string, string]> = [
  ['appointmentscheduled', 'Appointment Scheduled'],
  ['closedlost', 'Closed Lost'],
  ['closedwon', 'Closed Won'],
  ['contractsent', 'Contract Sent'],
  ['decisionmakerboughtin', 'Decision Maker Bought-In'],
  ['presentationscheduled', 'Presentation Scheduled'],
  ['qualifiedtobuy', 'Qualified To Buy'],
];

/** The per-stage properties HubSpot keeps for every stage of a pipeline (time in stage, dates entered/exited). */
function stageFamilies(stages: Array<[string, string]>, pipeline: string, style: 'v2' | 'legacy'): NamedProperty[] {
  const out: NamedProperty[] = [];
  for (const [stage, title] of stages) {
    const where = style === 'v2' ? `"${title} (${pipeline})"` : `'${title} (${pipeline})'`;
    if (style === 'v2') {
      out.push({ name: `hs_v2_cumulative_time_in_${stage}`, type: 'number', fieldType: 'number', label: `Cumulative time in ${where}` });
      out.push({ name: `hs_v2_date_entered_${stage}`, type: 'datetime', fieldType: 'date', label: `Date entered ${where}` });
      out.push({ name: `hs_v2_date_exited_${stage}`, type: 'datetime', fieldType: 'date', label: `Date exited ${where}` });
      out.push({ name: `hs_v2_latest_time_in_${stage}`, type: 'number', fieldType: 'number', label: `Latest time in ${where}` });
    } else {
      out.push({ name: `hs_date_entered_${stage}`, type: 'datetime', fieldType: 'calculation_read_time', label: `Date entered ${where}` });
      out.push({ name: `hs_date_exited_${stage}`, type: 'datetime', fieldType: 'calculation_read_time', label: `Date exited ${where}` });
      out.push({ name: `hs_time_in_${stage}`, type: 'number', fieldType: 'calculation_read_time', label: `Time in ${where}` });
    }
  }
  return out;
}

const CONTACTS = `
hs_additional_emails:es hs_data_privacy_ads_consent:bb hs_all_owner_ids:es hs_all_team_ids:es
hs_all_accessible_team_ids:es hs_all_contact_vids:es annualrevenue associatedcompanylastupdated:nn
hs_associated_target_accounts:nu hs_avatar_filemanager_key hs_analytics_average_page_views:nn
hs_all_assigned_business_unit_ids:ec hs_social_num_broadcast_clicks:nn hs_buying_role:ec hs_calculated_mobile_number
hs_searchable_calculated_international_mobile_number:pp hs_searchable_calculated_mobile_number:pp
hs_calculated_phone_number_area_code hs_calculated_phone_number_country_code hs_calculated_phone_number
hs_calculated_phone_number_region_code hs_searchable_calculated_international_phone_number:pp
hs_searchable_calculated_phone_number:pp engagements_last_meeting_booked_campaign city hs_facebook_ad_clicked:bb
hs_linkedin_ad_clicked:eb hs_clicked_linkedin_ad:eb closedate:td company company_size
hs_contact_creation_legal_basis_source_instance_id hs_has_active_subscription:nu hubspot_owner_id:es
hs_predictivescoringtier:er hs_is_unworked:bq hs_conversations_visitor_email hs_count_is_worked:nq
hs_count_is_unworked:nq country hs_country_region_code createdate:td hs_created_by_conversations:bb
hs_created_by_user_id:nn hs_cross_sell_opportunity:bb hs_currently_enrolled_in_prospecting_agent:bq
hs_sequences_is_enrolled:bb currentlyinworkflow:eb hs_customer_agent_lead_status:er date_of_birth
hs_sa_first_engagement_date:td engagements_last_meeting_booked:td days_to_close:nn degree hs_sa_first_engagement_descr:es
hs_content_membership_registration_domain_sent_to email hs_email_quarantined_reason:es
hs_email_customer_quarantined_reason:es hs_email_quarantined:bb hs_email_recipient_fatigue_recovery_time:td
hs_content_membership_email_confirmed:bb hs_email_domain hs_email_hard_bounce_reason hs_email_hard_bounce_reason_enum:er
hs_employment_change_detected_date:dd hs_role:es hs_seniority:es hs_sub_role:es hs_enriched_email_bounce_detected:bb
hs_contact_enrichment_opt_out:bb hs_contact_enrichment_opt_out_timestamp:td hs_analytics_revenue:nn hs_facebook_click_id
hs_social_facebook_clicks:nn hs_facebookid fax:sp field_of_study hs_first_closed_order_id:nn first_conversion_event_name
first_conversion_date:td first_deal_created_date:td hs_email_first_click_date:td hs_email_first_open_date:td
hs_email_first_reply_date:td hs_email_first_send_date:td firstname hs_first_order_closed_date:td hs_first_outreach_date:td
hs_analytics_first_url hs_analytics_first_referrer hs_first_subscription_create_date:tu
hs_analytics_first_touch_converting_campaign followercount:nn hs_full_name_or_email:sq gender hs_google_click_id
hs_social_google_plus_clicks:nn hs_googleplusid hs_gps_error graduation_date hs_is_enriched:bb owneremail ownername
hubspotscore:nx hubspot_team_id:es hs_first_engagement_object_id:nn industry hs_inferred_language_codes:es
hs_intent_paid_up_to_date:dd hs_intent_signals_enabled:bb hs_email_bad_address:bb ip_city ip_country ip_country_code
ip_latlon ip_state_code ip_state hs_ip_timezone ip_zipcode hs_is_contact:bk hs_email_is_ineligible:bb
hs_job_change_detected_date:dd job_function jobtitle hs_journey_stage:er kloutscoregeneral:nn hs_notes_last_activity:ot
notes_last_updated:td hs_feedback_last_ces_survey_follow_up:su hs_feedback_last_ces_survey_date:tu
hs_feedback_last_ces_survey_rating:nu notes_last_contacted:td hs_feedback_last_csat_survey_follow_up:su
hs_feedback_last_csat_survey_date:tu hs_feedback_last_csat_survey_rating:nu hs_last_sales_activity_timestamp:td
hs_last_sales_activity_type:es hs_email_last_click_date:td hs_email_last_email_name hs_email_last_open_date:td
hs_email_last_reply_date:td hs_email_last_send_date:td hs_last_metered_enrichment_timestamp:td lastmodifieddate:td
lastname hs_feedback_last_nps_follow_up hs_feedback_last_survey_date:td hs_feedback_last_nps_rating:es
hs_analytics_last_url hs_analytics_last_referrer hs_last_sales_activity_date:td hs_latest_sequence_ended_date:td
hs_latest_sequence_enrolled:nn hs_latest_sequence_enrolled_date:td hs_latest_sequence_finished_date:td
hs_latest_sequence_unenrolled_date:td hs_last_sms_send_date:td hs_last_sms_send_name
hs_analytics_last_touch_converting_campaign hs_latest_disqualified_lead_date:tu hs_latest_meeting_activity:td
hs_latest_open_lead_date:tu hs_latest_qualified_lead_date:tu hs_latest_subscription_create_date:tu hs_latest_source:es
hs_latest_source_timestamp:td hs_latest_source_data_1 hs_latest_source_data_2 hs_latitude:nn hs_gps_latitude
hs_predictivecontactscorebucket:er hs_time_to_first_engagement:nn hs_lead_status:er hs_legal_basis:ec lifecyclestage:er
hs_predictivecontactscore_v2:nn linkedinbio hs_social_linkedin_clicks:nn linkedinconnections:nn hs_linkedinid
hs_linkedin_url hs_live_enrichment_deadline:td hs_longitude:nn hs_gps_longitude marital_status hs_marketable_status:eb
hs_marketable_reason_id hs_marketable_reason_type:es hs_marketable_until_renewal:eb hs_emailconfirmationstatus:es
hs_email_bounce:nn hs_email_click:nn hs_email_delivered:nn hs_email_open:nn hs_email_replied:nn
engagements_last_meeting_booked_medium hs_content_membership_email hs_membership_has_accessed_private_content:nq
hs_membership_last_private_content_access_date:td hs_content_membership_notes:sa hs_merged_object_ids:ec
hs_calculated_merged_vids:es message:sa hs_messaging_engagement_score:nn military_status mobilephone:sp
hs_mobile_sdk_push_tokens hs_social_last_engagement:td hs_notes_next_activity:ot notes_next_activity_date:td
hs_notes_next_activity_type:es num_associated_deals:nn numemployees:es hs_analytics_num_event_completions:nn
num_conversion_events:nn hs_analytics_num_page_views:nn num_notes:nn hs_sequences_actively_enrolled_count:nn
hs_sequences_enrolled_count:nn hs_analytics_num_visits:nn num_contacted_notes:nn num_unique_conversion_events:nn
hs_createdate:td hs_lastmodifieddate:td hs_email_optout_1106029856:eb hs_email_optout_1106029853:eb
hs_email_optout_1106029854:eb hs_email_optimal_send_day_of_week hs_email_optimal_send_time_of_day hs_analytics_source:es
hs_analytics_source_data_1 hs_analytics_source_data_2 hubspot_owner_assigneddate:td hs_owning_teams:ec hs_was_imported:bb
hs_persona:es phone:sp photo hs_pinned_engagement_id:nn hs_pipeline:es zip hs_predictivecontactscore:nn hs_language:es
associatedcompanyid:nn hs_prospecting_agent_actively_enrolled_count:nu hs_prospecting_agent_last_enrolled:tu
hs_prospecting_agent_total_enrolled_count:nu hs_quarantined_emails:sa hs_read_only:bb hs_email_optout_survey_reason:er
hs_recent_closed_order_date:td recent_conversion_event_name recent_conversion_date:td recent_deal_amount:nn
recent_deal_close_date:td hs_document_last_revisited:td hs_sales_email_last_clicked:td hs_sales_email_last_opened:td
hs_sales_email_last_replied:td hs_object_source hs_object_source_id hs_object_source_user_id:nn hs_object_id:nn
hs_object_source_label:es hs_object_source_detail_1 hs_object_source_detail_2 hs_object_source_detail_3
hs_content_membership_registered_at:td hs_registered_member:nq hs_registration_method relationship_status
hs_returning_to_office_detected_date:dd salutation school hs_email_sends_since_last_engagement:nn seniority
hs_shared_team_ids:ec hs_shared_user_ids:ec hs_feedback_show_nps_web_survey:bb hs_source_object_id:nn
engagements_last_meeting_booked_source hs_source_portal_id:nn start_date state hs_state_code hs_content_membership_status:es
address surveymonkeyeventlastupdated:nn hs_testpurge hs_testrollback hs_calculated_form_submissions:es
hs_time_between_contact_creation_and_deal_close:nq hs_time_between_contact_creation_and_deal_creation:nq
hs_content_membership_follow_up_enqueued_at:td hs_analytics_first_timestamp:td hs_analytics_last_timestamp:td
hs_analytics_first_visit_timestamp:td hs_analytics_last_visit_timestamp:td hs_content_membership_registration_email_sent_at:td
hs_time_to_move_from_lead_to_customer:nq hs_time_to_move_from_marketingqualifiedlead_to_customer:nq
hs_time_to_move_from_opportunity_to_customer:nq hs_time_to_move_from_salesqualifiedlead_to_customer:nq
hs_time_to_move_from_subscriber_to_customer:nq hs_timezone:es total_revenue:nn twitterbio hs_social_twitter_clicks:nn
hs_twitterid twitterprofilephoto twitterhandle hs_sa_first_engagement_object_type:es hs_unique_creation_key
hs_email_optout:bb hs_updated_by_user_id:nn hs_user_ids_of_all_notification_followers:ec
hs_user_ids_of_all_notification_unfollowers:ec hs_user_ids_of_all_owners:ec webinareventlastupdated:nn website
hs_whatsapp_phone_number:sp work_email
`;

const COMPANIES = `
about_us hs_additional_domains:ec hs_all_owner_ids:es hs_all_team_ids:es hs_all_accessible_team_ids:es annualrevenue:nn
hs_annual_revenue_currency_code:sq hs_avatar_filemanager_key hs_all_assigned_business_unit_ids:ec
engagements_last_meeting_booked_campaign city closedate:td domain hs_keywords:ec name hubspot_owner_id:es hs_task_label:sq
country hs_country_code createdate:td hs_created_by_user_id:nn hs_csm_sentiment:es engagements_last_meeting_booked:td
days_to_close:nq description:sa hs_employee_range facebook_company_page facebookfans:nn first_contact_createdate:td
first_conversion_event_name first_conversion_date:td first_deal_created_date:td hs_analytics_first_touch_converting_campaign
googleplus_page hs_gps_error hs_is_enriched:bb owneremail ownername hubspotscore:nn hubspot_team_id:es
hs_ideal_customer_profile:er industry:es hs_industry_group hs_intent_paid_up_to_date:dd hs_intent_signals_enabled:bb
hs_is_intent_monitored:bb is_public:bb hs_notes_last_activity:ot notes_last_updated:td hs_last_booked_meeting_date:td
notes_last_contacted:td hs_last_sales_activity_timestamp:td hs_last_sales_activity_type:es hs_last_logged_call_date:td
hs_last_logged_outgoing_email_date:tu hs_last_metered_enrichment_timestamp:td hs_lastmodifieddate:td hs_last_open_task_date:td
hs_last_sales_activity_date:td hs_analytics_last_touch_converting_campaign hs_most_recent_de_anonymized_visit:td
hs_latest_createdate_of_active_subscriptions:tu hs_latest_meeting_activity:td hs_analytics_latest_source:es
hs_analytics_latest_source_data_1 hs_analytics_latest_source_data_2 hs_analytics_latest_source_timestamp:td hs_latitude:nn
hs_gps_latitude hs_lead_status:er lifecyclestage:er hs_predictivecontactscore_v2:nn linkedinbio linkedin_company_page
hs_linkedin_handle hs_live_enrichment_deadline:td hs_logo_url hs_longitude:nn hs_gps_longitude
engagements_last_meeting_booked_medium hs_merged_object_ids:ec hs_notes_next_activity:ot notes_next_activity_date:td
hs_notes_next_activity_type:es num_associated_contacts:nn num_associated_deals:nn hs_num_blockers:nn
hs_num_child_companies:nn hs_num_contacts_with_buying_roles:nn hs_num_decision_makers:nn numberofemployees:nn
num_conversion_events:nn hs_num_open_deals:nn hs_analytics_num_page_views:nn num_notes:nn hs_analytics_num_visits:nn
num_contacted_notes:nn hs_analytics_source:es hs_analytics_source_data_1 hs_analytics_source_data_2
hubspot_owner_assigneddate:td hs_owning_teams:ec hs_parent_company_id:nn hs_was_imported:bb phone:sp
hs_pinned_engagement_id:nn hs_pipeline:es zip hs_quick_context:sh hs_read_only:bb recent_conversion_event_name
recent_conversion_date:td recent_deal_amount:nn recent_deal_close_date:td hs_sales_email_last_replied:td hs_object_source
hs_object_source_id hs_object_source_user_id:nn hs_object_id:nn hs_object_source_label:es hs_object_source_detail_1
hs_object_source_detail_2 hs_object_source_detail_3 hs_research_agent_execution_id hs_research_agent_id:nn
hs_revenue_range hs_shared_team_ids:ec hs_shared_user_ids:ec hs_signals_summary hs_source_object_id:nn
engagements_last_meeting_booked_source state hs_state_code hs_is_target_account:bb hs_target_account:er
hs_target_account_probability:nn hs_target_account_recommendation_snooze_time:td hs_target_account_recommendation_state:er
hs_analytics_first_timestamp:td hs_analytics_last_timestamp:td hs_analytics_first_visit_timestamp:td
hs_analytics_last_visit_timestamp:td timezone total_money_raised hs_total_deal_value:nn total_revenue:nu
hs_intent_page_views_last_30_days:nn hs_intent_visitors_last_30_days:nn twitterbio twitterfollowers:nn twitterhandle type:er
hs_unique_creation_key hs_updated_by_user_id:nn hs_user_ids_of_all_notification_followers:ec
hs_user_ids_of_all_notification_unfollowers:ec hs_user_ids_of_all_owners:ec web_technologies:ec website founded_year
address address2
`;

const DEALS = `
hs_actual_duration:nq hs_all_owner_ids:es hs_all_team_ids:es hs_all_accessible_team_ids:es amount:nn
amount_in_home_currency:nq hs_acv:nn hs_arr:nn hs_associated_deal_registration_product_interests:ec
hs_associated_deal_registration_deal_type:es hs_attributed_team_ids:ec hs_average_call_duration:nu
hs_average_deal_owner_duration_in_current_stage:nn hs_all_assigned_business_unit_ids:ec engagements_last_meeting_booked_campaign
closedate:td hs_closed_amount:nq hs_closed_amount_in_home_currency:nq hs_closed_deal_close_date:nq
hs_closed_deal_create_date:nq closed_lost_reason:sa hs_closed_won_count:nq hs_closed_won_date:td closed_won_reason:sa
createdate:td hs_created_by_user_id:nn deal_currency_code:es hs_v2_date_entered_current_stage:tq
engagements_last_meeting_booked:td days_to_close:nq hs_days_to_close_raw:nq hs_deal_amount_calculation_preference:er
hs_all_collaborator_owner_ids:ec description:sa dealname hubspot_owner_id:es hs_deal_stage_probability:nn hs_deal_score:nn
hs_is_deal_split:bq hs_all_deal_split_owner_ids:ec dealstage:er hs_deal_stage_probability_shadow:nq hs_tag_ids:ec dealtype:er
hs_duration:nq hs_exchange_rate:nn hs_forecast_amount:nn hs_manual_forecast_category:es hs_forecast_probability:nn
hs_line_item_global_term_hs_discount_percentage hs_line_item_global_term_hs_discount_percentage_enabled:bb
hs_line_item_global_term_recurringbillingfrequency hs_line_item_global_term_recurringbillingfrequency_enabled:bb
hs_line_item_global_term_hs_recurring_billing_period hs_line_item_global_term_hs_recurring_billing_period_enabled:bb
hs_line_item_global_term_hs_recurring_billing_start_date hs_line_item_global_term_hs_recurring_billing_start_date_enabled:bb
hs_has_empty_conditional_stage_properties:bb hs_campaign hs_createdate:td hs_synced_deal_owner_name_and_email
hs_deal_registration_mrr:nn hs_deal_registration_mrr_currency_code:es hubspot_team_id:es hs_is_active_shared_deal:bb
hs_is_closed_count:nq hs_is_closed_lost:bq hs_is_closed_won:bq hs_is_closed:bq hs_is_in_first_deal_stage:bb
hs_is_open_count:nq hs_is_stalled:bq hs_is_stalled_after_timestamp:td hs_notes_last_activity:ot notes_last_updated:td
notes_last_contacted:td hs_lastmodifieddate:td hs_latest_approval_status hs_latest_approval_status_approval_id:nn
hs_latest_marketing_email_click_date:tu hs_latest_marketing_email_open_date:tu hs_latest_marketing_email_reply_date:tu
hs_latest_meeting_activity:td hs_latest_sales_email_click_date:tu hs_latest_sales_email_open_date:tu
hs_latest_sales_email_reply_date:tu hs_analytics_latest_source:eq hs_analytics_latest_source_company:es
hs_analytics_latest_source_contact:es hs_analytics_latest_source_data_1 hs_analytics_latest_source_data_1_company
hs_analytics_latest_source_data_1_contact hs_analytics_latest_source_data_2 hs_analytics_latest_source_data_2_company
hs_analytics_latest_source_data_2_contact hs_analytics_latest_source_timestamp:tn hs_analytics_latest_source_timestamp_company:td
hs_analytics_latest_source_timestamp_contact:td hs_likelihood_to_close:nn hs_manual_campaign_ids:nu
engagements_last_meeting_booked_medium hs_merged_object_ids:ec hs_mrr:nn hs_net_pipeline_impact:nn hs_notes_next_activity:ot
notes_next_activity_date:td hs_notes_next_activity_type:es hs_next_meeting_id:nn hs_next_meeting_name
hs_next_meeting_start_time:td hs_next_step:sa hs_next_step_updated_at:tq hs_num_associated_active_deal_registrations:nn
num_associated_contacts:nn hs_num_of_associated_line_items:nn hs_number_of_call_engagements:nu
hs_num_associated_deal_registrations:nn hs_num_associated_deal_splits:nn hs_number_of_inbound_calls:nu
hs_number_of_outbound_calls:nu hs_number_of_overdue_tasks:nu num_notes:nn hs_number_of_scheduled_meetings:nu
hs_num_target_accounts:nn num_contacted_notes:nn hs_open_amount_in_home_currency:nq hs_open_deal_create_date:nq
hs_analytics_source:es hs_analytics_source_data_1 hs_analytics_source_data_2 hubspot_owner_assigneddate:td hs_owning_teams:ec
hs_was_imported:bb hs_pinned_engagement_id:nn pipeline:es hs_primary_associated_company:nu hs_priority:es hs_read_only:bb
hs_sales_email_last_replied:td hs_object_source hs_object_source_id hs_object_source_user_id:nn hs_object_id:nn
hs_object_source_label:es hs_object_source_detail_1 hs_object_source_detail_2 hs_object_source_detail_3 hs_shared_team_ids:ec
hs_shared_user_ids:ec hs_source_object_id:nn engagements_last_meeting_booked_source hs_predicted_amount:nq
hs_predicted_amount_in_home_currency:nq hs_v2_time_in_current_stage:tq hs_tcv:nn hs_unique_creation_key
hs_updated_by_user_id:nn hs_user_ids_of_all_notification_followers:ec hs_user_ids_of_all_notification_unfollowers:ec
hs_user_ids_of_all_owners:ec hs_projected_amount:nq hs_projected_amount_in_home_currency:nq
`;

/** Properties every engagement type (calls, emails, meetings, notes, tasks) carries. */
const ENGAGEMENT_COMMON = `
hs_all_accessible_team_ids:es hs_all_assigned_business_unit_ids:ec hs_all_owner_ids:es hs_all_team_ids:es
hs_app_id:nn hs_at_mentioned_owner_ids:ec hs_attachment_ids:ec hs_body_preview hs_body_preview_html:sh
hs_body_preview_is_truncated:bb hs_campaign_guid hs_created_by:nn hs_created_by_user_id:nn hs_createdate:td
hs_engagement_source hs_engagement_source_id hs_follow_up_action hs_gdpr_deleted:bb hs_lastmodifieddate:td
hs_merged_object_ids:ec hs_modified_by:nn hs_object_id:nn hs_object_source hs_object_source_detail_1
hs_object_source_detail_2 hs_object_source_detail_3 hs_object_source_id hs_object_source_label:es
hs_object_source_user_id:nn hs_product_name hs_queue_membership_ids:ec hs_read_only:bb hs_scs_association_status
hs_scs_audit_id hs_sequence_id hs_shared_team_ids:ec hs_shared_user_ids:ec hs_template_id hs_timestamp:td
hs_unique_creation_key hs_unique_id hs_updated_by_user_id:nn hs_user_ids_of_all_notification_followers:ec
hs_user_ids_of_all_notification_unfollowers:ec hs_user_ids_of_all_owners:ec hs_was_imported:bb
hubspot_owner_assigneddate:td hubspot_owner_id:es hubspot_team_id:es
`;

const ENGAGEMENTS: Record<'calls' | 'emails' | 'meetings' | 'notes' | 'tasks', string> = {
  calls: `
hs_activity_type:es hs_call_app_id:nn hs_call_authed_url_provider hs_call_body:sh hs_call_callee_object_id:nn
hs_call_callee_object_type_id hs_call_deal_stage_during_call hs_call_direction:es hs_call_disposition:es hs_call_duration:nn
hs_call_external_account_id hs_call_external_id hs_call_from_number hs_call_has_transcript:bb hs_call_has_voicemail:bb
hs_call_location hs_call_ms_teams_payload hs_call_primary_deal:nn hs_call_recording_url hs_call_source:es hs_call_status:es
hs_call_summary:sa hs_call_title hs_call_to_number hs_call_transcription_id hs_call_video_meeting_type
hs_call_video_recording_url hs_call_zoom_meeting_uuid hs_call_recording_duration:nn
`,
  emails: `
hs_direction_and_unique_id hs_email_associated_contact_id hs_email_attached_video_id hs_email_attached_video_name
hs_email_attached_video_opened:bb hs_email_attached_video_watched:bb hs_email_bcc_email hs_email_bcc_firstname
hs_email_bcc_lastname hs_email_bcc_raw hs_email_bounce_error_detail_message hs_email_bounce_error_detail_status_code
hs_email_cc_email hs_email_cc_firstname hs_email_cc_lastname hs_email_cc_raw hs_email_click_count:nn hs_email_click_rate:nn
hs_email_direction:es hs_email_encoded_email_associations_request hs_email_error_message hs_email_facsimile_send_id
hs_email_from_email hs_email_from_firstname hs_email_from_lastname hs_email_from_raw hs_email_has_inline_images_stripped:bb
hs_email_headers hs_email_html:sh hs_email_logged_from:es hs_email_media_processing_status:es
hs_email_member_of_forwarded_subthread:bb hs_email_message_id hs_email_migrated_via_portal_data_migration:bb
hs_email_ms_teams_payload hs_email_open_count:nn hs_email_open_rate:nn hs_email_pending_inline_image_ids:ec
hs_email_post_send_status:es hs_email_recipient_drop_reasons hs_email_reply_count:nn hs_email_reply_rate:nn
hs_email_send_event_id hs_email_send_event_id_created:td hs_email_sender_email hs_email_sender_firstname
hs_email_sender_lastname hs_email_sender_raw hs_email_sent_count:nn hs_email_sent_via:es hs_email_status:es
hs_email_stripped_attachment_count:nn hs_email_subject hs_email_text:sa hs_email_thread_id hs_email_thread_summary:sa
hs_email_to_email hs_email_to_firstname hs_email_to_lastname hs_email_to_raw hs_email_tracker_key
hs_email_validation_skipped:bb hs_incoming_email_is_out_of_office:bb hs_not_tracking_opens_or_clicks:bb
hs_owner_ids_bcc:ec hs_owner_ids_cc:ec hs_owner_ids_from:ec hs_owner_ids_to:ec hs_ticket_create_date:td
`,
  meetings: `
hs_activity_type:es hs_attendee_owner_ids:ec hs_booking_instance_id:nn hs_contact_first_outreach_date:td
hs_created_by_scheduling_page:bb hs_external_calendar_id hs_guest_emails hs_i_cal_uid hs_include_description_in_reminder:bb
hs_internal_meeting_notes:sh hs_meeting_body:sh hs_meeting_calendar_event_hash hs_meeting_change_id
hs_meeting_created_from_link_id:nn hs_meeting_end_time:td hs_meeting_external_url hs_meeting_location
hs_meeting_location_type:es hs_meeting_ms_teams_payload hs_meeting_notetaker_id hs_meeting_outcome:es
hs_meeting_payments_session_id hs_meeting_pre_meeting_prospect_reminders:ec hs_meeting_source:es hs_meeting_source_id:nn
hs_meeting_start_time:td hs_meeting_title hs_meeting_web_conference_meeting_id hs_roster_object_coordinates
hs_scheduled_tasks hs_time_to_book_meeting_from_first_contact:nn
`,
  notes: `
hs_note_body:sh hs_note_ms_teams_payload hs_note_is_pinned:bb
`,
  tasks: `
hs_task_body:sh hs_task_completion_count:nn hs_task_completion_date:td hs_task_contact_timezone hs_task_family:es
hs_task_for_object_type:es hs_task_is_all_day:bb hs_task_is_completed:nq hs_task_is_completed_call:nq
hs_task_is_completed_email:nq hs_task_is_completed_linked_in:nq hs_task_is_completed_sequence:nq hs_task_is_overdue:bq
hs_task_is_past_due_date:bq hs_task_last_contact_outreach:td hs_task_last_sales_activity_timestamp:td
hs_task_missed_due_date:bq hs_task_missed_due_date_count:nu hs_task_ms_teams_payload hs_task_priority:es
hs_task_probability_to_complete:nn hs_task_relative_reminders hs_task_reminders hs_task_repeat_interval
hs_task_send_default_reminder:bb hs_task_sequence_enrollment_active:bb hs_task_sequence_step_enrollment_id
hs_task_sequence_step_order:nn hs_task_status:es hs_task_subject hs_task_template_id:nn hs_task_type:es
`,
};

const TICKETS = `
closed_date:td created_by:nn createdate:td first_agent_reply_date:td hs_all_assigned_business_unit_ids:ec
hs_all_associated_contact_companies hs_all_associated_contact_emails hs_all_associated_contact_firstnames
hs_all_associated_contact_lastnames hs_all_associated_contact_mobilephones hs_all_associated_contact_phones
hs_all_conversation_mentions hs_applied_sla_rule_config_id:nn hs_assignment_method:es hs_auto_generated_from_thread_id:nn
hs_conversations_originating_message_id hs_conversations_originating_thread_id:nn hs_created_by_user_id:nn hs_createdate:td
hs_custom_inbox:nn hs_external_object_ids hs_feedback_last_ces_follow_up hs_feedback_last_ces_rating:es
hs_feedback_last_survey_date:td hs_file_upload:sf hs_first_agent_message_sent_at:td hs_helpdesk_sort_timestamp:td
hs_in_helpdesk:bb hs_inbox_id:nn hs_last_email_activity:es hs_last_email_date:td hs_last_message_from_visitor:bb
hs_last_message_received_at:td hs_last_message_sent_at:td hs_lastactivitydate:td hs_lastcontacted:td hs_lastmodifieddate:td
hs_latest_message_seen_by_agent_ids hs_merged_object_ids:ec hs_most_relevant_sla_status:es hs_most_relevant_sla_type:es
hs_msteams_message_id hs_nextactivitydate:td hs_num_associated_companies:nn hs_num_times_contacted:nn hs_object_id:nn
hs_object_source hs_object_source_id hs_object_source_user_id:nn hs_object_source_label:es hs_object_source_detail_1
hs_object_source_detail_2 hs_object_source_detail_3 hs_originating_channel_instance_id hs_originating_email_engagement_id:nn
hs_originating_generic_channel_id hs_pinned_engagement_id:nn hs_pipeline:es hs_pipeline_stage:es hs_primary_company
hs_primary_company_id:nn hs_primary_company_name hs_read_only:bb hs_resolution:es hs_seen_by_agent_ids hs_source_object_id:nn
hs_tag_ids:ec hs_thread_ids_to_restore hs_ticket_category:ec hs_ticket_id:nn hs_ticket_priority:es hs_time_to_close_sla_at:td
hs_time_to_close_sla_status:es hs_time_to_first_response_sla_at:td hs_time_to_first_response_sla_status:es
hs_time_to_next_response_sla_at:td hs_time_to_next_response_sla_status:es hs_unique_creation_key hs_updated_by_user_id:nn
hs_user_ids_of_all_notification_followers:ec hs_user_ids_of_all_notification_unfollowers:ec hs_user_ids_of_all_owners:ec
hs_was_imported:bb hubspot_owner_assigneddate:td last_engagement_date:td last_reply_date:td nps_follow_up_answer
nps_follow_up_question_version:nn nps_score:es source_thread_id time_to_close:nq time_to_first_agent_reply:nq subject
content:sa source_type:es source_ref tags:ec hs_sales_email_last_replied:td hubspot_owner_id:es notes_last_contacted:td
notes_last_updated:td notes_next_activity_date:td num_contacted_notes:nn num_notes:nn hubspot_team_id:es hs_all_owner_ids:es
hs_all_team_ids:es hs_all_accessible_team_ids:es hs_shared_team_ids:ec hs_shared_user_ids:ec hs_owning_teams:ec
hs_ticket_reopened_at:td hs_is_closed:bq hs_is_one_touch_ticket:bq
`;

const PRODUCTS = `
name description:sa price:nn hs_sku hs_cost_of_goods_sold:nn hs_recurring_billing_period hs_product_type:es hs_url hs_images
hs_folder_id:nn hs_lastmodifieddate:td createdate:td hs_createdate:td hs_object_id:nn tax:nn hs_price_usd:nn hs_price_eur:nn
hs_price_gbp:nn recurringbillingfrequency:es hs_discount_percentage:nn hs_all_owner_ids:es hs_all_team_ids:es
hs_all_accessible_team_ids:es hs_all_assigned_business_unit_ids:ec hs_avatar_filemanager_key hs_created_by_user_id:nn
hs_updated_by_user_id:nn hs_merged_object_ids:ec hs_object_source hs_object_source_id hs_object_source_user_id:nn
hs_object_source_label:es hs_object_source_detail_1 hs_object_source_detail_2 hs_object_source_detail_3 hs_read_only:bb
hs_unique_creation_key hs_was_imported:bb hs_shared_team_ids:ec hs_shared_user_ids:ec hs_user_ids_of_all_notification_followers:ec
hs_user_ids_of_all_notification_unfollowers:ec hs_user_ids_of_all_owners:ec hubspot_owner_id:es hubspot_team_id:es
hubspot_owner_assigneddate:td hs_owning_teams:ec hs_product_classification:es hs_bundle_type:es hs_variant_count:nn
hs_tax_category hs_billing_period_units:es hs_product_category:es hs_line_item_currency_code:es hs_pricing_model:es hs_tiers
hs_tier_prices hs_tier_ranges hs_auto_tax_category hs_status:es hs_external_id hs_group_id:nn
`;

const LINE_ITEMS = `
name description:sa hs_sku category hs_line_item_currency_code:es hs_product_id:nn hs_product_type:es hs_variant_id:nn
hs_bundle_id:nn price:nn quantity:nn amount:nq discount:nn hs_discount_percentage:nn hs_pre_discount_amount:nq
hs_total_discount:nq hs_effective_unit_price:nq tax:nn hs_tax_amount:nq hs_auto_tax_amount:nn hs_tax_rate:nn
hs_post_tax_amount:nq hs_tax_label hs_tax_category hs_tax_rate_group_id hs_cost_of_goods_sold:nn hs_margin:nq hs_margin_acv:nq
hs_margin_arr:nq hs_margin_mrr:nq hs_margin_tcv:nq hs_acv:nq hs_arr:nq hs_mrr:nq hs_tcv:nq hs_term_in_months:nq
hs_recurring_billing_period hs_recurring_billing_terms hs_recurring_billing_number_of_payments:nn recurringbillingfrequency:es
hs_recurring_billing_start_date:dd hs_recurring_billing_end_date:dd hs_billing_period_start_date:dd
hs_billing_period_end_date:dd hs_billing_start_delay_days:nn hs_billing_start_delay_months:nn hs_billing_start_delay_type:es
hs_pricing_model:es hs_tier_amount:nn hs_tier_prices hs_tier_ranges hs_tiers hs_position_on_quote:nn points:nn hs_external_id
hs_sync_amount:nn hs_origin_key hs_group_key hs_images hs_url hs_is_editable_price:bb hs_is_optional:bb hs_read_only:bb
hs_was_imported:bb hs_allow_buyer_selected_quantity:bb hs_buyer_selected_quantity_min:nn hs_buyer_selected_quantity_max:nn
hubspot_owner_id:es hubspot_team_id:es hs_created_by_user_id:nn hs_updated_by_user_id:nn hs_object_source hs_object_source_id
hs_object_source_label:es hs_object_source_detail_1 hs_object_source_detail_2 hs_object_source_detail_3
hs_object_source_user_id:nn hs_merged_object_ids:ec hs_unique_creation_key createdate:td hs_createdate:td hs_lastmodifieddate:td
hubspot_owner_assigneddate:td hs_object_id:nn hs_all_owner_ids:es hs_all_team_ids:es hs_all_accessible_team_ids:es
hs_owning_teams:ec hs_shared_team_ids:ec hs_shared_user_ids:ec hs_all_assigned_business_unit_ids:ec
hs_user_ids_of_all_notification_followers:ec hs_user_ids_of_all_notification_unfollowers:ec hs_user_ids_of_all_owners:ec
`;

const QUOTES = `
hs_title hs_status:es hs_expiration_date:td hs_public_url_key hs_quote_amount:nn hs_quote_number hs_currency:es
hs_esign_enabled:bb hs_esign_num_allowed_signers:nn hs_esign_date:td hs_esign_status:es hs_payment_enabled:bb
hs_payment_status:es hs_payment_date:td hs_payment_type:es hs_quote_link hs_pdf_download_link hs_domain hs_language:es
hs_locale hs_terms:sa hs_comments:sa hs_sender_firstname hs_sender_lastname hs_sender_email hs_sender_company_name
hs_sender_company_domain hs_sender_company_address hs_sender_company_city hs_sender_company_state hs_sender_company_zip
hs_sender_company_country hs_sender_company_image_url hs_sender_jobtitle hs_sender_phone:sp hs_template_type:es hs_slug
hs_show_signature_box:bb hs_show_countersignature_box:bb hs_quote_total_preference:es hs_approval_id:nn hs_approver_id:nn
hs_created_by_user_id:nn hs_updated_by_user_id:nn hs_createdate:td hs_lastmodifieddate:td hs_object_id:nn hs_object_source
hs_object_source_id hs_object_source_user_id:nn hs_object_source_label:es hs_object_source_detail_1 hs_object_source_detail_2
hs_object_source_detail_3 hs_read_only:bb hs_unique_creation_key hs_was_imported:bb hs_merged_object_ids:ec hubspot_owner_id:es
hubspot_owner_assigneddate:td hubspot_team_id:es hs_all_owner_ids:es hs_all_team_ids:es hs_all_accessible_team_ids:es
hs_all_assigned_business_unit_ids:ec hs_owning_teams:ec hs_shared_team_ids:ec hs_shared_user_ids:ec
hs_user_ids_of_all_notification_followers:ec hs_user_ids_of_all_notification_unfollowers:ec hs_user_ids_of_all_owners:ec
hs_timezone:es hs_allowed_payment_methods:ec hs_collect_billing_address:bb hs_collect_shipping_address:bb
hs_quote_associated_deal_id:nn hs_line_items_total:nq hs_is_template:bb hs_signature_required:bb hs_proposal_slug
hs_proposal_template hs_template hs_pdf_data_key hs_quote_template_id:nn
`;

const LEADS = `
hs_lead_name hs_lead_type:es hs_lead_label:es hs_pipeline:es hs_pipeline_stage:es hubspot_owner_id:es hs_associated_contact_email
hs_associated_contact_firstname hs_associated_contact_lastname hs_associated_company_domain hs_associated_company_name
hs_primary_associated_object_name hs_createdate:td hs_lastmodifieddate:td hs_object_id:nn hs_created_by_user_id:nn
hs_updated_by_user_id:nn hs_lead_disqualification_reason:es hs_lead_disqualification_note:sa hs_lead_is_disqualified:bq
hs_lead_qualified_at:td hs_lead_disqualified_at:td hs_lead_source hs_lead_source_detail hs_lead_stage_entered_at:td
hs_lead_owner_assigned_at:td hs_time_to_first_touch:nq hs_first_outreach_date:td hs_last_activity_date:td
hs_next_activity_date:td hs_num_associated_calls:nn hs_num_associated_emails:nn hs_num_associated_meetings:nn
hs_num_associated_tasks:nn hs_is_open_lead:bq hs_lead_priority:es hs_object_source hs_object_source_id
hs_object_source_user_id:nn hs_object_source_label:es hs_object_source_detail_1 hs_object_source_detail_2
hs_object_source_detail_3 hs_read_only:bb hs_unique_creation_key hs_was_imported:bb hs_merged_object_ids:ec hubspot_team_id:es
hs_all_owner_ids:es hs_all_team_ids:es hs_all_accessible_team_ids:es hs_all_assigned_business_unit_ids:ec hs_owning_teams:ec
hs_shared_team_ids:ec hs_shared_user_ids:ec hs_user_ids_of_all_notification_followers:ec
hs_user_ids_of_all_notification_unfollowers:ec hs_user_ids_of_all_owners:ec hubspot_owner_assigneddate:td
`;

/** The properties HubSpot gives every custom object (the schema's own properties come on top: `custom-objects.ts`). */
const CUSTOM_OBJECT_DEFAULTS = `
hs_object_id:nn hs_createdate:td hs_lastmodifieddate:td hs_created_by_user_id:nn hs_updated_by_user_id:nn hs_merged_object_ids:ec
hs_object_source hs_object_source_id hs_object_source_user_id:nn hs_object_source_label:es hs_object_source_detail_1
hs_object_source_detail_2 hs_object_source_detail_3 hs_read_only:bb hs_unique_creation_key hs_was_imported:bb
hubspot_owner_id:es hubspot_owner_assigneddate:td hubspot_team_id:es hs_all_owner_ids:es hs_all_team_ids:es
hs_all_accessible_team_ids:es hs_all_assigned_business_unit_ids:ec hs_owning_teams:ec hs_shared_team_ids:ec hs_shared_user_ids:ec
hs_user_ids_of_all_notification_followers:ec hs_user_ids_of_all_notification_unfollowers:ec hs_user_ids_of_all_owners:ec
hs_pipeline:es hs_pipeline_stage:es
`;

export function customObjectDefaultNames(): NamedProperty[] {
  return parseNames(CUSTOM_OBJECT_DEFAULTS);
}

const stageList = (list: Array<[string, string, unknown]>): Array<[string, string]> => list.map(([id, label]) => [id, label]);

/** Real default property names of a type, before the catalog tops them up to a realistic count. */
export function realPropertyNames(type: StandardType): NamedProperty[] {
  switch (type) {
    case 'contacts':
      return [...parseNames(CONTACTS), ...stageFamilies(LIFECYCLE_STAGES, 'Lifecycle Stage Pipeline', 'v2')];
    case 'companies':
      return [...parseNames(COMPANIES), ...stageFamilies(LIFECYCLE_STAGES, 'Lifecycle Stage Pipeline', 'legacy')];
    case 'deals':
      // The default pipeline's stage families only: the deals catalog stays as it was before the second pipeline
      // (its list URL is just under 8 KB, which tests of the by-ids strategy rely on).
      return [...parseNames(DEALS), ...stageFamilies(DEAL_STAGES, 'Sales Pipeline', 'v2')];
    case 'tickets':
      return [...parseNames(TICKETS), ...stageFamilies(stageList(TICKET_STAGES), 'Support Pipeline', 'legacy')];
    case 'products':
      return parseNames(PRODUCTS);
    case 'line_items':
      return parseNames(LINE_ITEMS);
    case 'quotes':
      return parseNames(QUOTES);
    case 'leads':
      return parseNames(LEADS);
    default:
      return [...parseNames(ENGAGEMENT_COMMON), ...parseNames(ENGAGEMENTS[type])];
  }
}

/** Default property counts real portals show per type (the catalog tops real names up to these). */
export const DEFAULT_PROPERTY_COUNTS: Record<StandardType, number> = {
  contacts: 382,
  companies: 252,
  deals: 206,
  calls: 96,
  emails: 124,
  meetings: 98,
  notes: 84,
  tasks: 104,
  tickets: 148,
  products: 62,
  line_items: 96,
  quotes: 92,
  leads: 74,
};
